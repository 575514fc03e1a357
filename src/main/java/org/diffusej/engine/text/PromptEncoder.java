package org.diffusej.engine.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a prompt into the UNet's cross-attention context the AUTOMATIC1111 way (webui v1.10.1, emphasis
 * "Original"): the prompt is parsed and chunked ({@link PromptChunker}), each 77-token chunk goes through the text
 * encoder on its own, the per-token multipliers are applied with A1111's mean restore, and the chunks are
 * concatenated along the token axis: {@code [1, 77·chunks, H]}.
 *
 * <p>For a plain prompt of at most 75 tokens every multiplier is 1, the restore factor is exactly 1.0 and the result
 * is bit-identical to the text encoder's output on the diffusers-style padded ids.
 */
public final class PromptEncoder {
    /** The text encoder as this class needs it: {@code ids [N,77] int64 → [N,77,H]} (e.g. {@code TextEncoder::encode}). */
    @FunctionalInterface
    public interface ChunkEncoder {
        NDArray encode(NDArray inputIds, int clipSkip);
    }

    /**
     * A prompt and negative prompt encoded to the same length (the shorter padded with encoded empty chunks, as
     * A1111's "pad prompt/negative prompt" option does), ready for classifier-free guidance.
     *
     * @param positive       {@code [1, 77·n, H]}
     * @param negative       {@code [1, 77·n, H]}
     * @param positiveTokens A1111's token count of the prompt
     * @param negativeTokens A1111's token count of the negative prompt
     */
    public record Conditioning(NDArray positive, NDArray negative, int positiveTokens, int negativeTokens)
            implements AutoCloseable {
        @Override public void close() {
            positive.close();
            negative.close();
        }
    }

    private final PromptChunker chunker;
    private final ChunkEncoder encoder;
    private final int padId;

    /**
     * @param padId the tokenizer's pad id: the end id for SD1 (nothing changes), 0 for SD2, whose ids after the first
     *              end token are replaced by it before encoding (A1111 {@code process_tokens})
     */
    public PromptEncoder(PromptChunker chunker, ChunkEncoder encoder, int padId) {
        this.chunker = chunker;
        this.encoder = encoder;
        this.padId = padId;
    }

    /** A1111-style encoding for a model's tokenizer and text encoder (e.g. {@code model.textEncoder()::encode}). */
    public static PromptEncoder of(ClipTokenizer tokenizer, ChunkEncoder encoder) {
        return new PromptEncoder(PromptChunker.of(tokenizer), encoder, tokenizer.padId());
    }

    public PromptChunker chunker() { return chunker; }

    /** Encodes one prompt: {@code [1, 77·chunks, H]}, attached to {@code manager}. */
    public NDArray encode(String prompt, int clipSkip, NDManager manager) throws PromptSyntaxException {
        return encode(chunker.chunk(prompt).chunks(), clipSkip, manager);
    }

    /** Encodes a prompt and a negative prompt, padding the shorter one with encoded empty chunks. */
    public Conditioning encodePair(String prompt, String negativePrompt, int clipSkip, NDManager manager)
            throws PromptSyntaxException {
        PromptChunker.Chunks pos = chunker.chunk(prompt);
        PromptChunker.Chunks neg = chunker.chunk(negativePrompt);
        int n = Math.max(pos.chunks().size(), neg.chunks().size());
        return new Conditioning(encode(padded(pos.chunks(), n), clipSkip, manager),
                encode(padded(neg.chunks(), n), clipSkip, manager), pos.tokenCount(), neg.tokenCount());
    }

    /**
     * Encodes several prompts padded to the same chunk count (the longest one's), e.g. two prompts to interpolate
     * and their negative prompt: each {@code [1, 77·n, H]}, in the given order.
     */
    public List<NDArray> encodeAligned(List<String> prompts, int clipSkip, NDManager manager)
            throws PromptSyntaxException {
        List<List<PromptChunker.Chunk>> chunked = new ArrayList<>();
        int n = 0;
        for (String p : prompts) {
            chunked.add(chunker.chunk(p).chunks());
            n = Math.max(n, chunked.get(chunked.size() - 1).size());
        }
        List<NDArray> out = new ArrayList<>();
        for (List<PromptChunker.Chunk> c : chunked) out.add(encode(padded(c, n), clipSkip, manager));
        return out;
    }

    private List<PromptChunker.Chunk> padded(List<PromptChunker.Chunk> chunks, int count) {
        List<PromptChunker.Chunk> out = new ArrayList<>(chunks);
        while (out.size() < count) out.add(chunker.emptyChunk());
        return out;
    }

    /** Encodes chunks one by one (batch 1, as A1111 does for a single prompt) and concatenates them. */
    public NDArray encode(List<PromptChunker.Chunk> chunks, int clipSkip, NDManager manager) {
        try (NDScope scope = new NDScope()) {
            NDList parts = new NDList();
            for (PromptChunker.Chunk chunk : chunks) {
                NDArray ids = manager.create(withPadding(chunk.tokens()), new Shape(1, chunk.tokens().length)); // [1, 77]
                NDArray z = encoder.encode(ids, clipSkip);                                                       // [1, 77, H]
                float[] m = new float[chunk.multipliers().length];
                for (int i = 0; i < m.length; i++) m[i] = (float) chunk.multipliers()[i]; // torch.asarray → float32
                parts.add(applyEmphasis(z, manager.create(m)));
            }
            NDArray result = parts.size() == 1 ? parts.singletonOrThrow() : NDArrays.concat(parts, 1); // [1, 77n, H]
            NDScope.unregister(result);
            result.attach(manager);
            return result;
        }
    }

    /**
     * A1111's {@code EmphasisOriginal.after_transformers}: {@code z·m} rescaled so that its mean over all elements
     * equals the mean of {@code z} again.
     *
     * @param z           {@code [B, L, H]} encoder output
     * @param multipliers {@code [L]} or {@code [B, L]} per-token multipliers (float32)
     */
    public static NDArray applyEmphasis(NDArray z, NDArray multipliers) {
        NDArray originalMean = z.mean();
        NDArray weighted = z.mul(multipliers.expandDims(-1)); // multiplier broadcast over channels
        return weighted.mul(originalMean.div(weighted.mean()));
    }

    long[] withPadding(int[] tokens) {
        long[] ids = new long[tokens.length];
        boolean afterEnd = false;
        for (int i = 0; i < tokens.length; i++) {
            ids[i] = afterEnd ? padId : tokens[i];
            if (tokens[i] == chunker.endId()) afterEnd = true;
        }
        return ids;
    }
}
