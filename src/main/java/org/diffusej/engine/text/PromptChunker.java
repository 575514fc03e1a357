package org.diffusej.engine.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * AUTOMATIC1111's {@code tokenize_line} (webui v1.10.1): a parsed prompt becomes chunks of 75 tokens, each wrapped
 * to 77 with the start and end tokens, with one emphasis multiplier per token.
 *
 * <p>Rules: every parsed piece is tokenized on its own (no start/end tokens) and its tokens carry the piece's
 * weight; a top-level {@code BREAK} closes the current chunk; when a chunk is full and the next token is not a comma,
 * the tokens after the last comma move to the next chunk if that comma is at most 20 tokens from the end; a closed
 * chunk is padded to 75 with the end token (multiplier 1.0). The token count is 75 per closed chunk plus the real
 * length of the last one.
 */
public final class PromptChunker {
    /** Tokens per chunk between the start and end tokens. */
    public static final int CHUNK_LENGTH = 75;
    /** A1111's {@code comma_padding_backtrack} default. */
    public static final int COMMA_BACKTRACK = 20;
    /** CLIP's {@code <|startoftext|>}, {@code <|endoftext|>} and {@code ,</w>} ids (same for SD1 and SD2 vocabularies). */
    public static final int CLIP_START = 49406;
    public static final int CLIP_END = 49407;
    public static final int CLIP_COMMA = 267;

    /** One 77-token chunk and its per-token multipliers (A1111 {@code PromptChunk}). */
    public record Chunk(int[] tokens, double[] multipliers) {
        @Override public boolean equals(Object o) {
            return o instanceof Chunk c && Arrays.equals(tokens, c.tokens) && Arrays.equals(multipliers, c.multipliers);
        }
        @Override public int hashCode() { return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(multipliers); }
        @Override public String toString() {
            return "Chunk" + Arrays.toString(tokens) + Arrays.toString(multipliers);
        }
    }

    /** The chunks of one prompt and its token count as A1111 reports it ("75/150"). */
    public record Chunks(List<Chunk> chunks, int tokenCount) { }

    private final Function<String, int[]> tokenizer;
    private final int startId;
    private final int endId;
    private final int commaId;

    /**
     * @param tokenizer text → BPE ids without start/end tokens (e.g. {@code ClipTokenizer::tokenize})
     */
    public PromptChunker(Function<String, int[]> tokenizer, int startId, int endId, int commaId) {
        this.tokenizer = tokenizer;
        this.startId = startId;
        this.endId = endId;
        this.commaId = commaId;
    }

    /** A chunker with the CLIP vocabulary's special ids. */
    public static PromptChunker clip(Function<String, int[]> tokenizer) {
        return new PromptChunker(tokenizer, CLIP_START, CLIP_END, CLIP_COMMA);
    }

    /** A chunker on a CLIP tokenizer; the comma token is whatever the tokenizer makes of "," ({@code ,</w>}). */
    public static PromptChunker of(ClipTokenizer tokenizer) {
        int[] comma = tokenizer.tokenize(",");
        if (comma.length != 1) throw new IllegalArgumentException("the tokenizer has no single comma token");
        return new PromptChunker(tokenizer::tokenize, tokenizer.startId(), tokenizer.endId(), comma[0]);
    }

    public int startId() { return startId; }
    public int endId() { return endId; }

    /** Parses the emphasis syntax, then chunks. */
    public Chunks chunk(String prompt) throws PromptSyntaxException {
        return chunk(PromptParser.parse(prompt));
    }

    /** A1111's {@code empty_chunk()}: start token, 76 end tokens, multipliers 1.0. */
    public Chunk emptyChunk() {
        return close(new ArrayList<>(), new ArrayList<>());
    }

    /** Chunks an already parsed prompt. */
    public Chunks chunk(List<WeightedText> parsed) {
        List<Chunk> chunks = new ArrayList<>();
        List<Integer> tokens = new ArrayList<>();
        List<Double> multipliers = new ArrayList<>();
        int tokenCount = 0;
        int lastComma = -1;

        for (WeightedText piece : parsed) {
            if (piece.isBreak()) {
                chunks.add(close(tokens, multipliers));
                tokenCount += CHUNK_LENGTH;
                lastComma = -1;
                continue;
            }
            for (int token : tokenizer.apply(piece.text())) {
                if (token == commaId) {
                    lastComma = tokens.size();
                } else if (tokens.size() == CHUNK_LENGTH && lastComma != -1
                        && tokens.size() - lastComma <= COMMA_BACKTRACK) {
                    // move everything after the comma into the next chunk
                    int breakAt = lastComma + 1;
                    List<Integer> movedTokens = new ArrayList<>(tokens.subList(breakAt, tokens.size()));
                    List<Double> movedMultipliers = new ArrayList<>(multipliers.subList(breakAt, multipliers.size()));
                    chunks.add(close(tokens.subList(0, breakAt), multipliers.subList(0, breakAt)));
                    tokenCount += CHUNK_LENGTH;
                    lastComma = -1;
                    tokens = movedTokens;
                    multipliers = movedMultipliers;
                }
                if (tokens.size() == CHUNK_LENGTH) {
                    chunks.add(close(tokens, multipliers));
                    tokenCount += CHUNK_LENGTH;
                    lastComma = -1;
                }
                tokens.add(token);
                multipliers.add(piece.weight());
            }
        }
        if (!tokens.isEmpty() || chunks.isEmpty()) {
            tokenCount += tokens.size();
            chunks.add(close(tokens, multipliers));
        }
        return new Chunks(List.copyOf(chunks), tokenCount);
    }

    /** Pads to 75 with the end token and wraps with start/end; the lists are cleared for reuse. */
    private Chunk close(List<Integer> tokens, List<Double> multipliers) {
        int[] t = new int[CHUNK_LENGTH + 2];
        double[] w = new double[CHUNK_LENGTH + 2];
        Arrays.fill(t, endId);
        Arrays.fill(w, 1.0);
        t[0] = startId;
        for (int i = 0; i < tokens.size(); i++) {
            t[i + 1] = tokens.get(i);
            w[i + 1] = multipliers.get(i);
        }
        tokens.clear();
        multipliers.clear();
        return new Chunk(t, w);
    }
}
