// DiffuseJ example: restyle (img2img) every image of a folder and save the result next to it as TIFF.
// The generation parameters travel with each result (image property "parameters" and Image > Show Info).
//
// Fiji, headless:
//   ./ImageJ-linux64 --headless -macro Batch_Restyle_Folder.ijm "input=/data/in output=/data/out prompt=[a watercolor painting] strength=0.4 seed=1 steps=20"
// From the menu (Plugins > DiffuseJ > Examples) it asks for the folders.

args = getArgument();
input = call("ij.Macro.getValue", args, "input", "");
output = call("ij.Macro.getValue", args, "output", "");
prompt = call("ij.Macro.getValue", args, "prompt", "a watercolor painting");
strength = call("ij.Macro.getValue", args, "strength", "0.4");
seed = call("ij.Macro.getValue", args, "seed", "1");
steps = call("ij.Macro.getValue", args, "steps", "20");
if (input == "") input = getDirectory("Folder with the images to restyle");
if (output == "") output = getDirectory("Folder for the restyled images");

setBatchMode(true);
files = getFileList(input);
done = 0;
for (i = 0; i < files.length; i++) {
	if (endsWith(files[i], "/")) continue;
	open(input + File.separator + files[i]);
	source = getImageID();
	name = File.nameWithoutExtension;
	run("Restyle Image...", "prompt=[" + prompt + "] seed=" + seed + " steps=" + steps + " candidates=1 strength=" + strength + " area=[Whole image] output=[New image]");
	if (getImageID() != source) {
		saveAs("Tiff", output + File.separator + name + "-restyled.tif");
		close();
		done++;
	}
	selectImage(source);
	close();
}
print("DiffuseJ: restyled " + done + " image(s) into " + output);
