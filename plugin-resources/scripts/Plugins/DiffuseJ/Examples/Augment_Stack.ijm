// DiffuseJ example: scientific augmentation of a stack. Every plane gets N seeded img2img variants at a low
// strength, in the source bit depth with the calibration kept; every slice label records the parameters.
//
// Fiji, headless:
//   ./ImageJ-linux64 --headless -macro Augment_Stack.ijm "file=/data/cells.tif output=/data/cells-augmented.tif variants=4 strength=0.3 seed=100"
// From the menu it augments the current image and shows the result.

args = getArgument();
file = call("ij.Macro.getValue", args, "file", "");
output = call("ij.Macro.getValue", args, "output", "");
prompt = call("ij.Macro.getValue", args, "prompt", "fluorescence microscopy");
variants = call("ij.Macro.getValue", args, "variants", "4");
strength = call("ij.Macro.getValue", args, "strength", "0.3");
seed = call("ij.Macro.getValue", args, "seed", "100");
steps = call("ij.Macro.getValue", args, "steps", "20");

if (output != "") setBatchMode(true);
if (file != "") open(file);
source = getImageID();
run("Augment...", "prompt=[" + prompt + "] seed=" + seed + " steps=" + steps + " variants=" + variants + " strength=" + strength);
if (getImageID() == source) exit("DiffuseJ: augmentation did not run (see the log).");
print("DiffuseJ: " + nSlices + " slices, " + bitDepth() + "-bit; slice 1: " + getInfo("slice.label"));
if (output != "") saveAs("Tiff", output);
