package io.convjob.cli;

import io.convjob.Layer;
import io.convjob.Model;
import io.convjob.Tensor;
import io.convjob.error.InputException;
import io.convjob.image.ImagePreprocessor;
import io.convjob.spec.ModelSpec;
import io.convjob.storage.Storage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Writes a PNG grid of one image's feature maps.",
                "A row for the preprocessed input, then one per layer (up to --channels maps each, each stretched",
                "to its own gray range; a flattened vector as bars)."})
public final class ShowCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec command;
    @Mixin CommonOptions common;
    @Mixin ModelOptions model;

    @Option(names = "--input", required = true, paramLabel = "IMAGE",
            description = "An image file (PNG, JPEG, ...), local or on any Hadoop file system.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "MAPS.png", description = "The PNG to write (replaced if it exists).")
    Path output;

    @Option(names = "--channels", paramLabel = "N", defaultValue = "16", description = "Maps per layer at most (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--cell", paramLabel = "PX", defaultValue = "64", description = "Pixels per map (default: ${DEFAULT-VALUE}).")
    int cell;

    @Override
    public Integer call() throws IOException {
        if (channels < 1 || cell < 4) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(), "--channels must be >= 1 and --cell >= 4");
        }
        Storage storage = Storage.standard();
        ModelSpec spec = model.parseSpec(storage);
        ImagePreprocessor preprocessor = ImagePreprocessor.forModel(spec);
        Model built = model.load(storage);
        byte[] bytes = storage.readAllBytes(storage.path("--input", input));
        int[] shape = preprocessor.outputShape();
        float[] x = new float[Math.toIntExact(Tensor.elementCount(shape))];
        preprocessor.apply(bytes, input, x, 0);
        built.outputShape(shape); // shape-checks the whole stack before drawing anything

        PrintWriter out = command.commandLine().getOut();
        FeatureMapGrid grid = new FeatureMapGrid(cell, channels);
        Tensor t = new Tensor(shape, x);
        grid.add(t);
        out.printf("row 0: input %s%n", Arrays.toString(shape));
        int row = 1;
        for (int i = 0; i < built.layers().size(); i++) {
            Layer layer = built.layers().get(i);
            t = layer.apply(t);
            grid.add(t);
            out.printf(Locale.ROOT, "row %d: %s %s -> %s (%d of %d maps)%n", row++, spec.layers().size() > 1 ? "layers[" + i + "]" : "layer",
                    layer.getClass().getSimpleName(), Arrays.toString(t.shape()), grid.cells(t), t.rank() == 1 ? 1 : t.dim(0));
        }
        // whole or not at all: a temporary file beside the output, then a rename
        Path tmp = output.toAbsolutePath().resolveSibling("." + output.getFileName() + ".tmp");
        try {
            if (!ImageIO.write(grid.render(), "png", tmp.toFile())) throw new IOException("no PNG writer");
            Files.move(tmp, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new InputException(output + ": cannot write: " + e.getMessage(), e);
        }
        out.printf("wrote %s%n", output);
        out.flush();
        return ExitCodes.OK;
    }
}
