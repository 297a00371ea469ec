package io.convjob.cli;

import io.convjob.fast.Engines;
import io.convjob.plan.MemoryBudget;
import io.convjob.plan.PlanRequest;
import io.convjob.plan.ResourcePlan;
import io.convjob.shape.ModelSummary;
import io.convjob.spec.ModelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Checks a spec and prints its layers, output shapes, parameter counts and MACs.")
public final class DescribeCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec command;
    @Mixin CommonOptions common;

    @Option(names = "--spec", required = true, paramLabel = "SPEC.json", description = "Layer spec to describe.")
    java.nio.file.Path spec;

    @Option(names = "--input-shape", paramLabel = "C,D1,...",
            description = "One input sample's shape (channels, *spatial): adds output shapes and MACs.")
    String inputShapeText;

    @Option(names = "--batch-size", paramLabel = "N", converter = PositiveInt.class,
            description = "With --input-shape: plan memory for batches of N rows (default: "
                    + io.convjob.job.frame.ConvOptions.DEFAULT_BATCH_SIZE + ", fewer if memory is short).")
    Integer batchSize;

    @Override public Integer call() {
        int[] inputShape = inputShapeText == null ? null
                : ShapeOption.parse(command.commandLine(), "--input-shape", inputShapeText);
        ModelSpec model = io.convjob.spec.SpecParser.parse(spec);
        ResourcePlan.checkWeights(model, MemoryBudget.heap());
        ModelSummary summary = ModelSummary.of(model, inputShape);
        var out = command.commandLine().getOut();
        out.print(summary.toTable());
        if (inputShape != null) {
            out.printf(java.util.Locale.ROOT, "%.4g GFLOP per sample (2 x MACs); engine: %s%n",
                    2e-9 * summary.totalMacs(), Engines.get().name());
            // the plan of an in-process run (apply) with this JVM's heap; run checks the executors' memory the same way
            ResourcePlan plan = ResourcePlan.of(model, PlanRequest.inProcess(inputShape, -1,
                    batchSize == null ? io.convjob.job.frame.ConvOptions.DEFAULT_BATCH_SIZE : batchSize,
                    batchSize != null, 0));
            out.print(plan.toText());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
