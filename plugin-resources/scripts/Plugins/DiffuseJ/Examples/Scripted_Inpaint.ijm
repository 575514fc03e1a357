// DiffuseJ example: inpaint an oval selection from a script, then apply the first candidate to the pixels
// (one step: Edit > Undo reverts it). The candidates stay as layers in the overlay (Image > Overlay).
//
// Fiji, headless:
//   ./ImageJ-linux64 --headless -macro Scripted_Inpaint.ijm "file=/data/photo.png output=/data/photo-inpainted.tif x=40 y=30 width=64 height=48 prompt=[a red flower]"
// From the menu it works on the current image.

args = getArgument();
file = call("ij.Macro.getValue", args, "file", "");
output = call("ij.Macro.getValue", args, "output", "");
prompt = call("ij.Macro.getValue", args, "prompt", "a red flower");
seed = call("ij.Macro.getValue", args, "seed", "42");
steps = call("ij.Macro.getValue", args, "steps", "20");
x = parseInt(call("ij.Macro.getValue", args, "x", "16"));
y = parseInt(call("ij.Macro.getValue", args, "y", "16"));
w = parseInt(call("ij.Macro.getValue", args, "width", "32"));
h = parseInt(call("ij.Macro.getValue", args, "height", "32"));

if (output != "") setBatchMode(true);
if (file != "") open(file);
makeOval(x, y, w, h);
run("Inpaint Selection...", "prompt=[" + prompt + "] seed=" + seed + " steps=" + steps + " candidates=2 strength=0.75 blur=4 area=[Whole picture] fill=original output=Layers");
print("DiffuseJ: " + Overlay.size + " candidate layer(s)");
run("Apply Candidate", "layer=[DiffuseJ inpaint 1 (seed " + seed + ")]");
if (output != "") saveAs("Tiff", output);
