package org.diffusej.cli;

import org.diffusej.bridge.BridgeServer;
import org.diffusej.diagnostics.SystemCheck;
import org.diffusej.bridge.FolderModelProvider;
import org.diffusej.bridge.VaeFolders;
import org.diffusej.bridge.ModelProvider;
import org.diffusej.engine.Mode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code diffusej serve}: the HTTP bridge (Krita plugin, AUTOMATIC1111 API clients) until Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the engine over HTTP on this computer (Krita plugin, A1111 API clients) until Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
    @Mixin ModelLoadOptions model;
    @Spec CommandSpec spec;

    @Option(names = "--models", paramLabel = "FOLDER",
            description = "Offer every checkpoint of this folder (clients switch with sd_model_checkpoint).")
    Path modelsFolder;

    @Option(names = "--loras", paramLabel = "DIR", description = "Folder of LoRAs for <lora:name:mult> prompt tags and "
            + "/sdapi/v1/loras (also: env " + LoraOptions.ENV + ", the cache's loras folder).")
    Path lorasFolder;

    @Option(names = "--vaes", paramLabel = "DIR", description = "Folder of VAE files (*.safetensors) that clients "
            + "select with A1111's sd_vae option and /sdapi/v1/sd-vae lists (also: the cache's vae folder).")
    Path vaesFolder;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "7860", description = "Port, 0 = any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--listen", description = "Allow binding a non-loopback address (needs --api-auth).")
    boolean listen;

    @Option(names = "--api-auth", paramLabel = "USER:PASS", description = "Require HTTP basic authentication.")
    String auth;

    @Option(names = "--cors-allow-origins", paramLabel = "ORIGINS",
            description = "Web pages that may call the server, comma-separated (e.g. http://localhost:3000); "
                    + "by default no web page may.")
    String corsOrigins;

    @Option(names = "--cors-allow-origins-regex", paramLabel = "REGEX",
            description = "Also allow origins matching this regular expression (whole origin).")
    String corsRegex;

    @Option(names = "--queue", defaultValue = "4", description = "Jobs that may wait (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    private final CliContext ctx;

    ServeCommand(CliContext ctx) { this.ctx = ctx; }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "--port must be between 0 and 65535.");
        ProgressBar bar = new ProgressBar(ctx.err(), !quiet, ctx.tty());
        if (lorasFolder != null && !Files.isDirectory(lorasFolder))
            throw new InputException("--loras " + lorasFolder + ": there is no such folder.");
        org.diffusej.engine.lora.LoraLibrary loras = LoraOptions.folders(lorasFolder, System.getenv(),
                ctx.models().get().cache().root());
        if (vaesFolder != null && !Files.isDirectory(vaesFolder))
            throw new InputException("--vaes " + vaesFolder + ": there is no such folder.");
        VaeFolders vaes = VaeFolders.of(java.util.Arrays.asList(vaesFolder, ctx.models().get().cache().root().resolve("vae")));
        LoaderSettings settings = model.settings(null, loras);
        FolderModelProvider.VaeEngineLoader loader = (p, vae) -> ctx.engines().load(p,
                vae.file() != null ? settings.withVae(vae.file()) : vae.modelsOwn() ? settings.withVae(null) : settings,
                bar::engine);
        ModelProvider provider;
        if (modelsFolder != null) {
            if (!Files.isDirectory(modelsFolder)) throw new InputException("There is no folder " + modelsFolder + ".");
            provider = new FolderModelProvider(modelsFolder, loader, model.model);
        } else {
            Path path = ctx.models().get().resolve(model.model, Mode.TXT2IMG, bar::download, ctx.token());
            provider = new FolderModelProvider(null, loader, path.toString());
        }
        PipelineEngineLoader.tellPrecisionFallback(ctx.err(), provider.engine().model());
        BridgeServer server;
        try {
            server = BridgeServer.builder(provider).host(host).port(port).allowRemote(listen).auth(auth)
                    .corsAllowOrigins(corsOrigins).corsAllowOriginsRegex(corsRegex).queueCapacity(queue).closeModelsOnStop(true)
                    .loras(() -> loras).vaes(vaes)
                    .systemCheck(SystemCheck.standard(() -> ctx.models().get().settings())).build();
        } catch (IllegalArgumentException e) {
            provider.close();
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (BridgeServer running = server.start()) {
            ctx.out().println("DiffuseJ bridge listening on " + running.url() + " (Ctrl-C stops it)");
            while (!ctx.token().isCancelled()) Thread.sleep(200);
        }
        bar.message("Bridge stopped.");
        return ExitCode.OK;
    }
}
