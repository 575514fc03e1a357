package org.diffusej.cli;

import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PNG text chunks through ImageIO's PNG metadata tree. AUTOMATIC1111 stores its infotext under the keyword
 * {@code parameters}; like PIL, text that Latin-1 can hold goes into {@code tEXt}, anything else into {@code iTXt}.
 */
public final class PngText {
    /** The keyword A1111 (and DiffuseJ) store the generation parameters under. */
    public static final String PARAMETERS = "parameters";
    private static final String FORMAT = "javax_imageio_png_1.0";

    private PngText() { }

    /** Adds one text chunk to writable PNG metadata. */
    static void add(IIOMetadata metadata, String keyword, String text) throws IIOInvalidTreeException {
        IIOMetadataNode root = new IIOMetadataNode(FORMAT);
        if (StandardCharsets.ISO_8859_1.newEncoder().canEncode(text)) {
            IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
            entry.setAttribute("keyword", keyword);
            entry.setAttribute("value", text);
            IIOMetadataNode chunk = new IIOMetadataNode("tEXt");
            chunk.appendChild(entry);
            root.appendChild(chunk);
        } else {
            IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
            entry.setAttribute("keyword", keyword);
            entry.setAttribute("compressionFlag", "FALSE");
            entry.setAttribute("compressionMethod", "0");
            entry.setAttribute("languageTag", "");
            entry.setAttribute("translatedKeyword", "");
            entry.setAttribute("text", text);
            IIOMetadataNode chunk = new IIOMetadataNode("iTXt");
            chunk.appendChild(entry);
            root.appendChild(chunk);
        }
        metadata.mergeTree(FORMAT, root);
    }

    /** Every text chunk (tEXt, zTXt, iTXt) of PNG metadata, keyword to text, in file order. */
    static Map<String, String> read(IIOMetadata metadata) {
        Map<String, String> out = new LinkedHashMap<>();
        if (metadata == null || !java.util.Arrays.asList(metadata.getMetadataFormatNames()).contains(FORMAT))
            return out;
        Node root = metadata.getAsTree(FORMAT);
        for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
            String valueAttr = switch (chunk.getNodeName()) {
                case "tEXt", "zTXt" -> "value";
                case "iTXt" -> "text";
                default -> null;
            };
            if (valueAttr == null) continue;
            for (Node e = chunk.getFirstChild(); e != null; e = e.getNextSibling()) {
                NamedNodeMap a = e.getAttributes();
                Node k = a.getNamedItem("keyword");
                Node v = a.getNamedItem(valueAttr);
                if (k != null && v != null) out.put(k.getNodeValue(), v.getNodeValue());
            }
        }
        return out;
    }
}
