package org.diffusej.engine.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.engine.weights.InvalidCheckpointException;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer, id for id the slow {@code CLIPTokenizer} the Stable Diffusion pipelines use:
 * special tokens are split off the raw text first, each remaining piece is cleaned ({@link ClipTextCleaner}),
 * split by CLIP's pre-tokenizer regex, byte-encoded and merged by rank. The CLIP vocabulary ships as a resource
 * ({@link #bundled()}); a diffusers folder's own files ({@link #fromFolder}) bring their special tokens, e.g. SD2's
 * pad token {@code !} (id 0), which is then also split off as a token of its own.
 */
public final class ClipTokenizer {
    private static final String START = "<|startoftext|>";
    private static final String END = "<|endoftext|>";
    /** transformers reads at most this many merges (49152 - 256 - 2). */
    private static final int MAX_MERGES = 48894;
    private static final Pattern PRE_TOKENIZER = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    private static final char[] BYTE_ENCODER = byteEncoder();
    private static volatile ClipTokenizer bundled;

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> mergeRanks;
    /** Tokens matched in the raw text before cleaning (transformers' "no split" tokens), longest first. */
    private final List<String> specialTokens;
    private final int startId, endId, padId;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private ClipTokenizer(Map<String, Integer> vocab, Map<String, Integer> mergeRanks, Set<String> specialTokens,
                          String padToken) {
        this.vocab = vocab;
        this.mergeRanks = mergeRanks;
        List<String> specials = new ArrayList<>(specialTokens);
        specials.sort((a, b) -> b.length() - a.length());
        this.specialTokens = Collections.unmodifiableList(specials);
        this.startId = idOf(START);
        this.endId = idOf(END);
        this.padId = idOf(padToken);
    }

    /** The CLIP vocabulary bundled with DiffuseJ (openai/CLIP, MIT), with SD1's special tokens (pad = end). */
    public static ClipTokenizer bundled() {
        ClipTokenizer t = bundled;
        if (t == null) {
            synchronized (ClipTokenizer.class) {
                if (bundled == null) {
                    try (InputStream v = resource("vocab.json"); InputStream m = resource("merges.txt")) {
                        bundled = new ClipTokenizer(readVocab(new InputStreamReader(v, StandardCharsets.UTF_8)),
                                readMerges(new String(m.readAllBytes(), StandardCharsets.UTF_8)),
                                new LinkedHashSet<>(List.of(START, END)), END);
                    } catch (IOException e) {
                        throw new IllegalStateException("cannot read the bundled CLIP vocabulary", e);
                    }
                }
                t = bundled;
            }
        }
        return t;
    }

    /**
     * The tokenizer of a diffusers folder's {@code tokenizer/} directory: {@code vocab.json}, {@code merges.txt}
     * and, when present, {@code tokenizer_config.json} / {@code special_tokens_map.json} (special and pad tokens).
     */
    public static ClipTokenizer fromFolder(Path tokenizerDir) throws InvalidCheckpointException {
        Path vocabFile = tokenizerDir.resolve("vocab.json"), mergesFile = tokenizerDir.resolve("merges.txt");
        if (!Files.isRegularFile(vocabFile) || !Files.isRegularFile(mergesFile))
            throw new InvalidCheckpointException("The tokenizer folder " + tokenizerDir
                    + " needs vocab.json and merges.txt (a CLIP BPE tokenizer).");
        try (Reader r = Files.newBufferedReader(vocabFile, StandardCharsets.UTF_8)) {
            Map<String, Integer> vocab = readVocab(r);
            Map<String, Integer> merges = readMerges(Files.readString(mergesFile, StandardCharsets.UTF_8));
            Set<String> specials = new LinkedHashSet<>();
            String pad = END;
            for (String name : new String[] {"special_tokens_map.json", "tokenizer_config.json"}) {
                Path f = tokenizerDir.resolve(name);
                if (!Files.isRegularFile(f)) continue;
                JsonObject o = JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8)).getAsJsonObject();
                for (String key : new String[] {"bos_token", "eos_token", "unk_token", "pad_token"}) {
                    String token = tokenContent(o.get(key));
                    if (token != null) specials.add(token);
                    if (token != null && key.equals("pad_token")) pad = token;
                }
                if (o.has("added_tokens_decoder"))
                    for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("added_tokens_decoder").entrySet()) {
                        String token = tokenContent(e.getValue());
                        if (token != null) {
                            specials.add(token);
                            vocab.putIfAbsent(token, Integer.parseInt(e.getKey()));
                        }
                    }
            }
            specials.add(START);
            specials.add(END);
            for (String s : specials)
                if (!vocab.containsKey(s))
                    throw new InvalidCheckpointException("The tokenizer in " + tokenizerDir + " names the special token '"
                            + s + "', which its vocab.json does not contain.");
            return new ClipTokenizer(vocab, merges, specials, pad);
        } catch (IOException | RuntimeException e) {
            throw new InvalidCheckpointException("Cannot read the tokenizer in " + tokenizerDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * This vocabulary with another pad token, which also becomes a special token split off the raw text: SD2's
     * tokenizer is CLIP's with pad token {@code !} (id 0), for SD2 single files that bring no tokenizer files.
     */
    public ClipTokenizer withPadToken(String padToken) {
        Set<String> specials = new LinkedHashSet<>(specialTokens);
        specials.add(padToken);
        return new ClipTokenizer(vocab, mergeRanks, specials, padToken);
    }

    /** BPE ids of {@code text}, without start/end tokens, cleaned like the reference tokenizer. */
    public int[] tokenize(String text) {
        List<Integer> ids = new ArrayList<>();
        int pos = 0, pieceStart = 0;
        while (pos < text.length()) {
            String special = specialAt(text, pos);
            if (special == null) { pos++; continue; }
            encodePiece(text.substring(pieceStart, pos), ids);
            ids.add(vocab.get(special));
            pos += special.length();
            pieceStart = pos;
        }
        encodePiece(text.substring(pieceStart), ids);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Pipeline-style ids: start token, at most {@code maxLength - 2} BPE ids, end token, then pad tokens up to
     * {@code maxLength} (longer prompts are truncated).
     */
    public long[] encodePadded(String text, int maxLength) {
        if (maxLength < 2) throw new IllegalArgumentException("maxLength must be at least 2, got " + maxLength);
        int[] ids = tokenize(text);
        int n = Math.min(ids.length, maxLength - 2);
        long[] out = new long[maxLength];
        Arrays.fill(out, padId);
        out[0] = startId;
        for (int i = 0; i < n; i++) out[1 + i] = ids[i];
        out[1 + n] = endId;
        return out;
    }

    public int startId() { return startId; }

    public int endId() { return endId; }

    public int padId() { return padId; }

    private String specialAt(String text, int pos) {
        for (String s : specialTokens) if (text.startsWith(s, pos)) return s;
        return null;
    }

    private void encodePiece(String piece, List<Integer> ids) {
        if (piece.isEmpty()) return;
        Matcher m = PRE_TOKENIZER.matcher(ClipTextCleaner.clean(piece));
        while (m.find()) for (int id : bpe(m.group())) ids.add(id);
    }

    /** The ids of one pre-token: its UTF-8 bytes as byte-unicode characters, merged pair by pair in rank order. */
    private int[] bpe(String token) {
        int[] cached = cache.get(token);
        if (cached != null) return cached;
        if (token.equals(START) || token.equals(END)) return new int[] {idOf(token)};
        byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
        List<String> word = new ArrayList<>(utf8.length);
        for (byte b : utf8) word.add(String.valueOf(BYTE_ENCODER[b & 0xff]));
        word.set(word.size() - 1, word.get(word.size() - 1) + "</w>");
        while (word.size() > 1) {
            int best = -1, bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer rank = mergeRanks.get(word.get(i) + " " + word.get(i + 1));
                if (rank != null && rank < bestRank) { bestRank = rank; best = i; }
            }
            if (best < 0) break;
            String first = word.get(best), second = word.get(best + 1);
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); i++) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(word.get(i));
                }
            }
            word = merged;
        }
        int[] ids = new int[word.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = vocab.get(word.get(i));
            ids[i] = id != null ? id : endId; // transformers maps unknown pieces to unk (= <|endoftext|>)
        }
        if (cache.size() < 100_000) cache.put(token, ids);
        return ids;
    }

    private int idOf(String token) {
        Integer id = vocab.get(token);
        if (id == null) throw new IllegalStateException("token '" + token + "' is not in the vocabulary");
        return id;
    }

    private static String tokenContent(JsonElement e) {
        if (e == null || e.isJsonNull()) return null;
        if (e.isJsonPrimitive()) return e.getAsString();
        JsonElement content = e.getAsJsonObject().get("content");
        return content == null || content.isJsonNull() ? null : content.getAsString();
    }

    private static Map<String, Integer> readVocab(Reader r) {
        Map<String, Integer> vocab = new HashMap<>(1 << 17);
        for (Map.Entry<String, JsonElement> e : JsonParser.parseReader(r).getAsJsonObject().entrySet())
            vocab.put(e.getKey(), e.getValue().getAsInt());
        return vocab;
    }

    /** Merge ranks from merges.txt (after its version line); a repeated pair keeps its later rank, as in a dict. */
    private static Map<String, Integer> readMerges(String text) {
        String[] lines = text.strip().split("\n");
        Map<String, Integer> ranks = new HashMap<>(2 * MAX_MERGES);
        int rank = 0;
        for (int i = 1; i < lines.length && rank < MAX_MERGES; i++) {
            String[] pair = lines[i].strip().split("\\s+");
            if (pair.length == 2) ranks.put(pair[0] + " " + pair[1], rank++);
        }
        return ranks;
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = ClipTokenizer.class.getResourceAsStream(name);
        if (in == null) throw new IOException(name + " is missing from the classpath");
        return in;
    }

    /** GPT-2/CLIP byte-to-unicode table: printable bytes map to themselves, the rest to U+0100 onwards. */
    private static char[] byteEncoder() {
        char[] table = new char[256];
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) printable[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) printable[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) printable[b] = true;
        int n = 0;
        for (int b = 0; b < 256; b++) table[b] = printable[b] ? (char) b : (char) (256 + n++);
        return table;
    }
}
