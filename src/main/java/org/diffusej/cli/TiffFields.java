package org.diffusej.cli;

import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import java.util.Arrays;
import java.util.Map;

/**
 * The TIFF fields the CLI reads and writes: ImageDescription (tag 270, where the A1111 parameters go and ImageJ shows
 * them) and SampleFormat (tag 339: 1 unsigned integer, 2 signed integer, 3 floating point).
 */
final class TiffFields {
    private static final String FORMAT = "javax_imageio_tiff_image_1.0";
    private static final String DESCRIPTION = "270";
    private static final String SAMPLE_FORMAT = "339";
    private static final String SIGNED_INTEGER = "2";

    private final Map<String, String> text;
    private final boolean signed;

    private TiffFields(Map<String, String> text, boolean signed) {
        this.text = text;
        this.signed = signed;
    }

    /** The fields of an image's metadata; none (no text, unsigned) when it is not TIFF metadata. */
    static TiffFields of(IIOMetadata md) {
        if (md == null || !Arrays.asList(md.getMetadataFormatNames()).contains(FORMAT))
            return new TiffFields(Map.of(), false);
        Map<String, String> text = Map.of();
        boolean signed = false;
        org.w3c.dom.NodeList fields = ((IIOMetadataNode) md.getAsTree(FORMAT)).getElementsByTagName("TIFFField");
        for (int i = 0; i < fields.getLength(); i++) {
            IIOMetadataNode f = (IIOMetadataNode) fields.item(i);
            String number = f.getAttribute("number");
            if (DESCRIPTION.equals(number) && text.isEmpty()) {
                String v = firstValue(f, "TIFFAscii");
                if (v != null) text = Map.of(PngText.PARAMETERS, v);
            } else if (SAMPLE_FORMAT.equals(number)) {
                signed = SIGNED_INTEGER.equals(firstValue(f, "TIFFShort"));
            }
        }
        return new TiffFields(text, signed);
    }

    /** The A1111 parameters from ImageDescription, or an empty map. */
    Map<String, String> text() {
        return text;
    }

    /** Whether SampleFormat says the integer samples are signed (two's complement). */
    boolean signedIntegers() {
        return signed;
    }

    /** Adds {@code description} as the ImageDescription field of TIFF writer metadata {@code md}. */
    static void addDescription(IIOMetadata md, String description) throws IIOInvalidTreeException {
        IIOMetadataNode root = new IIOMetadataNode(FORMAT);
        IIOMetadataNode ifd = new IIOMetadataNode("TIFFIFD");
        IIOMetadataNode field = new IIOMetadataNode("TIFFField");
        field.setAttribute("number", DESCRIPTION);
        field.setAttribute("name", "ImageDescription");
        IIOMetadataNode asciis = new IIOMetadataNode("TIFFAsciis");
        IIOMetadataNode ascii = new IIOMetadataNode("TIFFAscii");
        ascii.setAttribute("value", description);
        asciis.appendChild(ascii);
        field.appendChild(asciis);
        ifd.appendChild(field);
        root.appendChild(ifd);
        md.mergeTree(FORMAT, root);
    }

    private static String firstValue(IIOMetadataNode field, String tag) {
        org.w3c.dom.NodeList values = field.getElementsByTagName(tag);
        return values.getLength() > 0 ? ((IIOMetadataNode) values.item(0)).getAttribute("value") : null;
    }
}
