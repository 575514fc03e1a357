package org.diffusej.engine.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * SDXL prompts the AUTOMATIC1111 way: each of the two tokenizer/encoder pairs parses, chunks and weights the prompt
 * on its own ({@link PromptEncoder}: 77-token chunks, emphasis with mean restore per encoder), the two contexts are
 * concatenated on the feature axis, and the pooled embedding is the second encoder's for the first chunk (A1111 takes
 * {@code zs[0].pooled}; emphasis does not touch it). Prompt and negative prompt are padded to the same chunk count,
 * also across the two tokenizers (they differ only where the second one treats {@code !} as a special token).
 * An empty negative prompt gives zeros for both its context and its pooled embedding when the model asks for it
 * ({@code force_zeros_for_empty_prompt} in diffusers, A1111's zeroed "txt" embedders for an all-empty negative).
 * For a plain prompt of at most 75 tokens this equals diffusers' {@code encode_prompt}.
 */
public final class DualPromptEncoder {
    /**
     * Encoded prompts.
     *
     * @param context        prompt and negative prompt contexts {@code [1, 77·n, H1+H2]} with A1111's token counts
     * @param pooledPositive {@code [1, P]} pooled embedding of the prompt
     * @param pooledNegative {@code [1, P]} pooled embedding of the negative prompt
     */
    public record Conditioning(PromptEncoder.Conditioning context, NDArray pooledPositive, NDArray pooledNegative)
            implements AutoCloseable {
        @Override public void close() {
            context.close();
            pooledPositive.close();
            pooledNegative.close();
        }
    }

    private final PromptEncoder first;
    private final PromptEncoder second;
    private final DualTextEncoder encoders;
    private final boolean zeroEmptyNegative;

    /**
     * @param zeroEmptyNegative diffusers' {@code force_zeros_for_empty_prompt} (true for SDXL base)
     */
    public DualPromptEncoder(ClipTokenizer tokenizer1, ClipTokenizer tokenizer2, DualTextEncoder encoders,
                             boolean zeroEmptyNegative) {
        this.first = PromptEncoder.of(tokenizer1, encoders::firstContext);
        this.second = PromptEncoder.of(tokenizer2, encoders::secondContext);
        this.encoders = encoders;
        this.zeroEmptyNegative = zeroEmptyNegative;
    }

    /** The first tokenizer's chunker (token counts as A1111 reports them). */
    public PromptChunker chunker() { return first.chunker(); }

    /** Encodes a prompt and a negative prompt for classifier-free guidance. */
    public Conditioning encodePair(String prompt, String negativePrompt, int clipSkip, NDManager manager)
            throws PromptSyntaxException {
        boolean zeros = zeroEmptyNegative && negativePrompt.isEmpty();
        List<String> texts = zeros ? List.of(prompt) : List.of(prompt, negativePrompt);
        List<NDArray> contexts = encodeAligned(texts, clipSkip, manager);
        NDArray positive = contexts.get(0);
        NDArray pooledPositive = pooled(prompt, manager);
        NDArray negative = zeros ? manager.zeros(positive.getShape()) : contexts.get(1);
        NDArray pooledNegative = zeros ? manager.zeros(pooledPositive.getShape()) : pooled(negativePrompt, manager);
        int posTokens = first.chunker().chunk(prompt).tokenCount();
        int negTokens = first.chunker().chunk(negativePrompt).tokenCount();
        return new Conditioning(new PromptEncoder.Conditioning(positive, negative, posTokens, negTokens),
                pooledPositive, pooledNegative);
    }

    /**
     * A walk from {@code prompt} (t = 0) to {@code promptB} (t = 1), as {@code LatentWalk} does for SD1/SD2: contexts
     * and pooled embeddings mixed straight, all padded to the same chunk count; the ends equal {@link #encodePair}.
     */
    public Conditioning encodeWalk(String prompt, String promptB, double t, String negativePrompt, int clipSkip,
                                   NDManager manager) throws PromptSyntaxException {
        if (t == 0) return encodePair(prompt, negativePrompt, clipSkip, manager);
        if (t == 1) return encodePair(promptB, negativePrompt, clipSkip, manager);
        boolean zeros = zeroEmptyNegative && negativePrompt.isEmpty();
        List<NDArray> z = encodeAligned(zeros ? List.of(prompt, promptB) : List.of(prompt, promptB, negativePrompt),
                clipSkip, manager);
        NDArray mix = z.get(0).mul((float) (1 - t)).add(z.get(1).mul((float) t));
        NDArray pooled;
        try (NDArray a = pooled(prompt, manager); NDArray b = pooled(promptB, manager)) {
            pooled = a.mul((float) (1 - t)).add(b.mul((float) t));
        }
        NDArray negative = zeros ? manager.zeros(mix.getShape()) : z.get(2);
        NDArray pooledNegative = zeros ? manager.zeros(pooled.getShape()) : pooled(negativePrompt, manager);
        z.get(0).close();
        z.get(1).close();
        int tokens = Math.max(first.chunker().chunk(prompt).tokenCount(), first.chunker().chunk(promptB).tokenCount());
        return new Conditioning(new PromptEncoder.Conditioning(mix, negative, tokens,
                first.chunker().chunk(negativePrompt).tokenCount()), pooled, pooledNegative);
    }

    /**
     * Contexts of several prompts, each {@code [1, 77·n, H1+H2]} with the same n (the most chunks any prompt has
     * under either tokenizer), in the given order.
     */
    public List<NDArray> encodeAligned(List<String> prompts, int clipSkip, NDManager manager)
            throws PromptSyntaxException {
        List<List<PromptChunker.Chunk>> chunks1 = new ArrayList<>(), chunks2 = new ArrayList<>();
        int n = 0;
        for (String p : prompts) {
            chunks1.add(first.chunker().chunk(p).chunks());
            chunks2.add(second.chunker().chunk(p).chunks());
            n = Math.max(n, Math.max(chunks1.get(chunks1.size() - 1).size(), chunks2.get(chunks2.size() - 1).size()));
        }
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            try (NDArray a = first.encode(padded(chunks1.get(i), n, first), clipSkip, manager);
                 NDArray b = second.encode(padded(chunks2.get(i), n, second), clipSkip, manager)) {
                out.add(a.concat(b, 2));                                                 // [1, 77n, H1+H2]
            }
        }
        return out;
    }

    /** The pooled, projected embedding of a prompt's first chunk under the second tokenizer: {@code [1, P]}. */
    public NDArray pooled(String prompt, NDManager manager) throws PromptSyntaxException {
        PromptChunker.Chunk chunk = second.chunker().chunk(prompt).chunks().get(0);
        long[] ids = second.withPadding(chunk.tokens());
        try (NDArray idArray = manager.create(ids, new Shape(1, ids.length))) {
            return encoders.pooled(idArray);
        }
    }

    private static List<PromptChunker.Chunk> padded(List<PromptChunker.Chunk> chunks, int count, PromptEncoder e) {
        List<PromptChunker.Chunk> out = new ArrayList<>(chunks);
        while (out.size() < count) out.add(e.chunker().emptyChunk());
        return out;
    }
}
