package org.diffusej.bridge;

import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import java.util.Arrays;

/**
 * Checks an image's metadata before its pixels are decoded, for what the JDK's decoders would turn into huge
 * allocations: a TIFF declaring 17- to 31-bit samples makes the JDK TIFF decoder build a 2^bits-entry table per
 * band (a 294-byte file with five 28-bit bands asks for 5 GiB; found by {@code ImageReadFuzzTest}). Used by the
 * bridge and the CLI alike.
 */
public final class DecoderLimits {
    private static final String TIFF = "javax_imageio_tiff_image_1.0";
    private static final String BITS_PER_SAMPLE = "258";

    private DecoderLimits() { }

    /**
     * Null when the first image of {@code reader} (its input set without ignoring metadata) is fine to decode, else
     * what is wrong with it. Reads TIFF metadata only; other formats pass.
     */
    public static String problem(javax.imageio.ImageReader reader) throws java.io.IOException {
        String format = reader.getFormatName().toLowerCase(java.util.Locale.ROOT);
        return format.startsWith("tif") ? problem(reader.getImageMetadata(0)) : null;
    }

    /** Null when {@code md} is fine to decode, else what is wrong with it (a phrase such as "28-bit samples"). */
    public static String problem(IIOMetadata md) {
        if (md == null || !Arrays.asList(md.getMetadataFormatNames()).contains(TIFF)) return null;
        org.w3c.dom.NodeList fields = ((IIOMetadataNode) md.getAsTree(TIFF)).getElementsByTagName("TIFFField");
        for (int i = 0; i < fields.getLength(); i++) {
            IIOMetadataNode f = (IIOMetadataNode) fields.item(i);
            if (!BITS_PER_SAMPLE.equals(f.getAttribute("number"))) continue;
            org.w3c.dom.NodeList values = f.getElementsByTagName("TIFFShort");
            for (int v = 0; v < values.getLength(); v++) {
                int bits = parse(((IIOMetadataNode) values.item(v)).getAttribute("value"));
                if (bits < 1 || bits > 16 && bits != 32 && bits != 64)
                    return bits + "-bit samples (TIFF samples of 1 to 16, 32 or 64 bits are read)";
            }
        }
        return null;
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
