package org.diffusej.engine.vae;

import ai.djl.ndarray.NDArray;

/**
 * VAE decoding and encoding over seamlessly blended tiles ({@link BlendedTiles}) for images larger than a
 * threshold, so that a 2048×2048 restyle needs the decoder memory of one 512×512 tile instead of sixteen
 * times that (SD's decoder holds ~5 float32 maps of 128×H×W plus a 2-D attention over (H/8)·(W/8) tokens).
 *
 * <p>Tiles are an approximation for a VAE: each tile's group norms and mid-block attention see only that tile.
 * Overlaps are blended with weights that vanish at tile edges, so there are no visible seams; differences to an
 * untiled decode are small, smooth colour shifts (see {@code TiledVaeTest} for measured figures).
 */
public final class TiledVae {
    /** Default latent tile edge: 64 latents = 512 pixels, the resolution SD 1.x was trained at. */
    public static final int DEFAULT_LATENT_TILE = 64;
    /** Default overlap between neighbouring tiles: 16 latents = 128 pixels. */
    public static final int DEFAULT_LATENT_OVERLAP = 16;
    /** Images with an edge above this many pixels are processed in tiles by default. */
    public static final int DEFAULT_THRESHOLD_PIXELS = 1024;

    private final Vae vae;
    private final int latentTile;
    private final int latentOverlap;
    private final int thresholdPixels;

    /** Tiles with the defaults: 512-pixel tiles overlapping by 128 pixels, above 1024 pixels. */
    public TiledVae(Vae vae) {
        this(vae, DEFAULT_LATENT_TILE, DEFAULT_LATENT_OVERLAP, DEFAULT_THRESHOLD_PIXELS);
    }

    /**
     * @param vae             the autoencoder
     * @param latentTile      tile edge in latent pixels (image pixels: × {@link VaeConfig#downscale()})
     * @param latentOverlap   overlap in latent pixels, {@code 0 < latentOverlap < latentTile}
     * @param thresholdPixels images whose larger edge exceeds this (in image pixels) are tiled; 0 tiles always
     */
    public TiledVae(Vae vae, int latentTile, int latentOverlap, int thresholdPixels) {
        new BlendedTiles(latentTile, latentOverlap); // validates the tile geometry
        this.vae = vae;
        this.latentTile = latentTile;
        this.latentOverlap = latentOverlap;
        this.thresholdPixels = thresholdPixels;
    }

    /** Like {@link Vae#decode}: unscaled latents [N, z, h, w] → image [N, 3, h·f, w·f] float32. */
    public NDArray decode(NDArray z) {
        int f = vae.config().downscale();
        if (!tiled(z.getShape().get(2) * f, z.getShape().get(3) * f)) {
            return vae.decode(z);
        }
        return new BlendedTiles(latentTile, latentOverlap).apply(z, vae::decode, f);
    }

    /** Like {@link Vae#encodeMoments}: image [N, 3, H, W] in [-1, 1] → moments [N, 2·z, H/f, W/f] float32. */
    public NDArray encodeMoments(NDArray image) {
        int f = vae.config().downscale();
        if (!tiled(image.getShape().get(2), image.getShape().get(3))) {
            return vae.encodeMoments(image);
        }
        return new BlendedTiles(latentTile * f, latentOverlap * f).apply(image, vae::encodeMoments, 1.0 / f);
    }

    private boolean tiled(long height, long width) {
        return Math.max(height, width) > thresholdPixels;
    }
}
