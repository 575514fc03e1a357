package org.diffusej.bridge;

import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;
import org.w3c.dom.Node;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;

/**
 * Images over HTTP the AUTOMATIC1111 way: base64 (optionally a {@code data:image/...;base64,} URL) in, PNG with a
 * {@code parameters} text chunk out. Refuses oversized images before decoding their pixels.
 */
public final class ImageCodec {
    private static final String PNG_FORMAT = "javax_imageio_png_1.0";
    private final int maxSide;

    /** @param maxSide largest accepted width or height in pixels */
    public ImageCodec(int maxSide) {
        this.maxSide = maxSide;
    }

    public int maxSide() { return maxSide; }

    /** Decodes base64 or a data URL into an image; {@code field} names the JSON field in error messages. */
    public BufferedImage decode(String base64, String field) throws ApiException {
        if (base64 == null || base64.isBlank()) throw ApiException.badRequest(field + " is empty.");
        String b = base64.trim();
        if (b.startsWith("data:")) {
            int comma = b.indexOf(',');
            if (comma < 0 || !b.substring(0, comma).endsWith(";base64"))
                throw ApiException.badRequest(field + " is a data URL without ';base64,' data.");
            b = b.substring(comma + 1);
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(b);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field + " is not valid base64: " + e.getMessage());
        }
        return read(bytes, field);
    }

    private BufferedImage read(byte[] bytes, String field) throws ApiException {
        try (ImageInputStream in = new BytesImageInputStream(bytes)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext())
                throw ApiException.badRequest(field + " is not an image (PNG, JPEG, BMP or GIF expected).");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, false);
                int w = reader.getWidth(0), h = reader.getHeight(0);
                checkSize(w, h, field);
                String problem = DecoderLimits.problem(reader);
                if (problem != null) throw ApiException.badRequest(field + " has " + problem + ".");
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw ApiException.badRequest(field + " could not be decoded as an image: "
                    + ErrorReplies.withoutPaths(e.getMessage()));
        } catch (RuntimeException e) { // the decoder tripped over a damaged file: its message names Java internals
            throw ApiException.badRequest(field + " could not be decoded as an image (damaged or unsupported data).");
        }
    }

    /** Refuses sizes beyond the server's limit (413). */
    public void checkSize(int w, int h, String what) throws ApiException {
        if (w <= 0 || h <= 0) throw ApiException.unprocessable(what + " has an invalid size " + w + "x" + h + ".");
        if (w > maxSide || h > maxSide)
            throw new ApiException(413, "ImageTooLarge", what + " is " + w + "x" + h
                    + " pixels; this server accepts at most " + maxSide + " pixels per side.");
    }

    /** RGB planes in [0, 1]; alpha is dropped. */
    public static RgbImage toRgb(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight(), n = w * h;
        float[] planes = new float[3 * n];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x], i = y * w + x;
                planes[i] = ((p >> 16) & 0xff) / 255f;
                planes[n + i] = ((p >> 8) & 0xff) / 255f;
                planes[2 * n + i] = (p & 0xff) / 255f;
            }
        }
        return new RgbImage(w, h, planes);
    }

    /**
     * A binary mask like A1111's: the alpha channel when the image has a non-opaque one, else the grey value;
     * above 128 (of 255) means repaint.
     */
    public static Mask toMask(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        boolean useAlpha = false;
        if (img.getColorModel().hasAlpha())
            for (int p : argb) if ((p >>> 24) != 0xff) { useAlpha = true; break; }
        float[] v = new float[w * h];
        for (int i = 0; i < v.length; i++) {
            int p = argb[i];
            int level = useAlpha ? p >>> 24
                    : (((p >> 16) & 0xff) * 299 + ((p >> 8) & 0xff) * 587 + (p & 0xff) * 114) / 1000;
            v[i] = level > 128 ? 1f : 0f;
        }
        return new Mask(w, h, v);
    }

    /** A copy scaled to {@code w}×{@code h} (bicubic, or nearest for masks so they stay binary). */
    public static BufferedImage resize(BufferedImage img, int w, int h, boolean nearest) {
        if (img.getWidth() == w && img.getHeight() == h) return img;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, nearest
                ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(img, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /**
     * A1111's {@code resize_mode} 1 ("Crop and resize"): scaled, keeping the aspect ratio, until it covers
     * {@code w}×{@code h}, then cropped around the centre.
     */
    public static BufferedImage cropResize(BufferedImage img, int w, int h, boolean nearest) {
        double scale = Math.max((double) w / img.getWidth(), (double) h / img.getHeight());
        int sw = Math.max(w, (int) Math.round(img.getWidth() * scale));
        int sh = Math.max(h, (int) Math.round(img.getHeight() * scale));
        BufferedImage scaled = resize(img, sw, sh, nearest);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(scaled, -(sw - w) / 2, -(sh - h) / 2, null);
        g.dispose();
        return out;
    }

    /**
     * A1111's {@code resize_mode} 2 ("Resize and fill"): scaled, keeping the aspect ratio, to fit inside
     * {@code w}×{@code h} and centred; the bars left over are filled by stretching the image's edge rows (or columns)
     * outwards, as A1111 does by pasting its edge resized to the bar's size.
     */
    public static BufferedImage fillResize(BufferedImage img, int w, int h, boolean nearest) {
        double ratio = (double) w / h, src = (double) img.getWidth() / img.getHeight();
        int sw = ratio < src ? w : img.getWidth() * h / img.getHeight();
        int sh = ratio >= src ? h : img.getHeight() * w / img.getWidth();
        BufferedImage scaled = resize(img, Math.max(sw, 1), Math.max(sh, 1), nearest);
        sw = scaled.getWidth();
        sh = scaled.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        int x0 = w / 2 - sw / 2, y0 = h / 2 - sh / 2;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) // outside the pasted image: the nearest edge pixel (bars only on one axis)
                out.setRGB(x, y, scaled.getRGB(Math.min(Math.max(x - x0, 0), sw - 1), Math.min(Math.max(y - y0, 0), sh - 1)));
        return out;
    }

    /** JPEG bytes at {@code quality} (1–100), base64; JPEG carries no {@code parameters} chunk. */
    public static String jpegBase64(RgbImage img, int quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(Math.max(1, Math.min(100, quality)) / 100f);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(toBufferedImage(img), null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /** 8-bit RGB image of the engine's planes (rounded, clamped to [0, 255]). */
    public static BufferedImage toBufferedImage(RgbImage img) {
        int w = img.width(), h = img.height(), n = w * h;
        float[] p = img.planes();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                row[x] = (to8(p[i]) << 16) | (to8(p[n + i]) << 8) | to8(p[2 * n + i]);
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }

    private static int to8(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }

    /** PNG bytes with a {@code parameters} text chunk (tEXt when Latin-1 suffices, else iTXt UTF-8), like A1111. */
    public static byte[] png(RgbImage img, String parameters) {
        BufferedImage bi = toBufferedImage(img);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(bi), param);
            if (parameters != null && !parameters.isEmpty()) meta.mergeTree(PNG_FORMAT, textChunk(parameters));
            writer.setOutput(out);
            writer.write(null, new IIOImage(bi, null, meta), param);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    public static String pngBase64(RgbImage img, String parameters) {
        return Base64.getEncoder().encodeToString(png(img, parameters));
    }

    private static Node textChunk(String text) {
        IIOMetadataNode root = new IIOMetadataNode(PNG_FORMAT);
        boolean latin1 = StandardCharsets.ISO_8859_1.newEncoder().canEncode(text);
        if (latin1) {
            IIOMetadataNode chunk = new IIOMetadataNode("tEXt");
            IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
            entry.setAttribute("keyword", "parameters");
            entry.setAttribute("value", text);
            chunk.appendChild(entry);
            root.appendChild(chunk);
        } else {
            IIOMetadataNode chunk = new IIOMetadataNode("iTXt");
            IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
            entry.setAttribute("keyword", "parameters");
            entry.setAttribute("compressionFlag", "FALSE");
            entry.setAttribute("compressionMethod", "0");
            entry.setAttribute("languageTag", "");
            entry.setAttribute("translatedKeyword", "");
            entry.setAttribute("text", text);
            chunk.appendChild(entry);
            root.appendChild(chunk);
        }
        return root;
    }

    /** The {@code parameters} text of a PNG, or null; for tests and clients that read results back. */
    public static String readParameters(byte[] png) throws IOException {
        return readTextChunks(png).get("parameters");
    }

    /** Every tEXt, zTXt and iTXt chunk of a PNG by keyword (empty for a PNG without text). */
    public static java.util.Map<String, String> readTextChunks(byte[] png) throws IOException {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        try (ImageInputStream in = new BytesImageInputStream(png)) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
            try {
                reader.setInput(in);
                Node root = reader.getImageMetadata(0).getAsTree(PNG_FORMAT);
                for (Node c = root.getFirstChild(); c != null; c = c.getNextSibling())
                    for (Node e = c.getFirstChild(); e != null; e = e.getNextSibling()) {
                        if (!(e instanceof IIOMetadataNode n)) continue;
                        switch (n.getNodeName()) {
                            case "tEXtEntry" -> out.put(n.getAttribute("keyword"), n.getAttribute("value"));
                            case "zTXtEntry", "iTXtEntry" -> out.put(n.getAttribute("keyword"), n.getAttribute("text"));
                            default -> { }
                        }
                    }
                return out;
            } finally {
                reader.dispose();
            }
        }
    }
}
