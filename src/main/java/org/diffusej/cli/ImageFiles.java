package org.diffusej.cli;

import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Reads and writes the images the CLI works on: 8- and 16-bit PNG and TIFF, grey or RGB (JPEG and others read
 * as 8-bit), with the A1111 {@code parameters} text in PNG files (and TIFF's ImageDescription).
 */
public final class ImageFiles {
    /** Largest square input side: {@value} pixels. */
    public static final int MAX_SIDE = 8192;
    /** Largest input in pixels (width × height), checked from the file's header before decoding. */
    public static final long MAX_PIXELS = (long) MAX_SIDE * MAX_SIDE;

    private ImageFiles() { }

    /** Reads an image; the samples are scaled to [0, 1] by the file's own bit depth. */
    public static ImageFile read(Path file) throws InputException {
        if (!Files.isRegularFile(file)) throw new InputException("There is no image file " + file + ".");
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            return read(in, file.toString(), MAX_PIXELS);
        } catch (IOException | RuntimeException e) {
            throw new InputException("Cannot read the image " + file + ": " + e.getMessage() + ".", e);
        }
    }

    /**
     * Decodes the image in {@code in} (named {@code name} in messages), refusing more than {@code maxPixels} from
     * the header before any pixel is decoded. The fuzz test decodes from memory with a small limit through here.
     */
    static ImageFile read(ImageInputStream in, String name, long maxPixels) throws InputException {
        Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
        if (readers == null || !readers.hasNext())
            throw new InputException(name + " is not an image this program can read (use PNG, TIFF or JPEG).");
        ImageReader reader = readers.next();
        try {
            reader.setInput(in, true, false);
            checkPixels(name, reader.getWidth(0), reader.getHeight(0), maxPixels);
            String problem = org.diffusej.bridge.DecoderLimits.problem(reader);
            if (problem != null) throw new InputException("The image " + name + " has " + problem + ".");
            BufferedImage img = reader.read(0);
            IIOMetadata md = reader.getImageMetadata(0);
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            TiffFields tiff = TiffFields.of(format.startsWith("tif") ? md : null);
            Map<String, String> text = format.equals("png") ? PngText.read(md) : tiff.text();
            return toImageFile(img, normaliseFormat(format), text, name, tiff.signedIntegers());
        } catch (OutOfMemoryError e) {
            throw new InputException("The image " + name + " does not fit in memory (the Java heap, -Xmx); use a "
                    + "smaller image.", e);
        } catch (IOException | RuntimeException e) {
            throw new InputException("Cannot read the image " + name + ": " + e.getMessage() + ".", e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Refuses images above {@code maxPixels} from their header, before any pixel is decoded (a 1 MB PNG can
     * declare 20000×20000 pixels).
     */
    static void checkPixels(String name, int width, int height, long maxPixels) throws InputException {
        if (width < 1 || height < 1)
            throw new InputException("The image " + name + " declares an invalid size " + width + "x" + height + ".");
        if ((long) width * height > maxPixels)
            throw new InputException("The image " + name + " is " + width + "x" + height + " pixels; this program "
                    + "reads at most " + maxPixels + " pixels" + (maxPixels == MAX_PIXELS ? " (" + MAX_SIDE + "x"
                    + MAX_SIDE + ")" : "") + ". Use a smaller image.");
    }

    /** Reads a mask (white = repaint); it must have the image's size. */
    public static Mask readMask(Path file, int width, int height) throws InputException {
        ImageFile f = read(file);
        RgbImage m = f.rgb();
        if (m.width() != width || m.height() != height)
            throw new InputException("The mask " + file + " is " + m.width() + "x" + m.height() + " but the image is "
                    + width + "x" + height + ": they must have the same size.");
        float[] v = new float[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                v[y * width + x] = Math.max(m.get(0, x, y), Math.max(m.get(1, x, y), m.get(2, x, y)));
        return new Mask(width, height, v);
    }

    /**
     * Writes {@code image} as PNG or TIFF (by the file's extension) with {@code bitDepth} 8 or 16 bits, grey
     * (the mean of R, G, B) or RGB, with {@code parameters} embedded when not null. Never replaces an existing
     * file unless {@code force}; the file appears complete or not at all.
     */
    public static void write(Path file, RgbImage image, int bitDepth, boolean grey, String parameters, boolean force)
            throws IOException, InputException {
        String format = formatOf(file);
        if (!force && Files.exists(file))
            throw new InputException(file + " already exists: choose another --out or add --force to replace it.");
        BufferedImage img = toBufferedImage(image, bitDepth, grey);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = temporarySibling(file);
        try {
            ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(tmp.toFile())) {
                writer.setOutput(out);
                ImageWriteParam param = writer.getDefaultWriteParam();
                IIOMetadata md = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), param);
                if (parameters != null) addText(md, format, parameters);
                writer.write(null, new IIOImage(img, null, md), param);
            } finally {
                writer.dispose();
            }
            if (force) Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            else Files.move(tmp, file); // fails if someone created the file meanwhile
        } catch (FileAlreadyExistsException e) {
            throw new InputException(file + " already exists: choose another --out or add --force to replace it.");
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A not-yet-existing hidden name next to {@code file}, for writing before the atomic rename. */
    static Path temporarySibling(Path file) {
        return file.toAbsolutePath().resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + java.util.UUID.randomUUID().toString().substring(0, 8) + ".tmp");
    }

    /** {@code png} or {@code tif} for an output path; anything else is refused. */
    public static String formatOf(Path file) throws InputException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) return "png";
        if (name.endsWith(".tif") || name.endsWith(".tiff")) return "tif";
        throw new InputException("Cannot write " + file + ": outputs are .png or .tif files.");
    }

    private static void addText(IIOMetadata md, String format, String parameters) throws IOException {
        if (format.equals("png")) {
            PngText.add(md, PngText.PARAMETERS, parameters);
            return;
        }
        TiffFields.addDescription(md, parameters);
    }

    private static ImageFile toImageFile(BufferedImage img, String format, Map<String, String> text, String file,
                                         boolean signed) throws InputException {
        int w = img.getWidth(), h = img.getHeight();
        Raster r = img.getRaster();
        boolean indexed = img.getColorModel() instanceof IndexColorModel;
        int bits = indexed ? 8 : r.getSampleModel().getSampleSize(0);
        boolean grey = !indexed && img.getColorModel().getNumColorComponents() == 1;
        if (!indexed && r.getNumBands() < (grey ? 1 : 3))
            throw new InputException(file + " has " + r.getNumBands() + " channels; grey or RGB images are expected.");
        float[] planes = new float[3 * w * h];
        int plane = w * h;
        if (!indexed && (bits > 8 || r.getDataBuffer().getDataType() != DataBuffer.TYPE_BYTE)) {
            // 16-bit, 32-bit integer and floating point: written back as 16-bit
            SampleScale scale = SampleScale.of(r, grey ? 1 : 3, signed, file);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int c = 0; c < 3; c++)
                        planes[c * plane + y * w + x] = scale.get(r, x, y, grey ? 0 : c);
            return new ImageFile(new RgbImage(w, h, planes), 16, grey, format, text);
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                if (grey) {
                    float v = r.getSample(x, y, 0) / 255f;
                    planes[y * w + x] = v;
                    planes[plane + y * w + x] = v;
                    planes[2 * plane + y * w + x] = v;
                } else {
                    int rgb = img.getRGB(x, y);
                    planes[y * w + x] = ((rgb >> 16) & 0xff) / 255f;
                    planes[plane + y * w + x] = ((rgb >> 8) & 0xff) / 255f;
                    planes[2 * plane + y * w + x] = (rgb & 0xff) / 255f;
                }
            }
        return new ImageFile(new RgbImage(w, h, planes), 8, grey, format, text);
    }

    static BufferedImage toBufferedImage(RgbImage image, int bitDepth, boolean grey) {
        int w = image.width(), h = image.height();
        int max = bitDepth == 16 ? 65535 : 255;
        BufferedImage img;
        if (grey) img = new BufferedImage(w, h, bitDepth == 16 ? BufferedImage.TYPE_USHORT_GRAY : BufferedImage.TYPE_BYTE_GRAY);
        else if (bitDepth == 16) {
            ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                    Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
            img = new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null);
        } else img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                if (grey) {
                    float v = (image.get(0, x, y) + image.get(1, x, y) + image.get(2, x, y)) / 3f;
                    r.setSample(x, y, 0, quantise(v, max));
                } else
                    for (int c = 0; c < 3; c++) r.setSample(x, y, c, quantise(image.get(c, x, y), max));
            }
        return img;
    }

    private static int quantise(float v, int max) {
        return Math.round(Math.max(0f, Math.min(1f, v)) * max);
    }

    private static String normaliseFormat(String readerFormat) {
        return readerFormat.startsWith("tif") ? "tif" : readerFormat.startsWith("jp") ? "jpeg" : readerFormat;
    }
}
