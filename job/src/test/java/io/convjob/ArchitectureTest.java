package io.convjob;

import io.convjob.ClassDependencies.CompiledClass;
import io.convjob.cli.Main;
import io.convjob.spark.ArrowTensorSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of docs/ARCHITECTURE.md, checked on the compiled main classes of the three modules: modules depend one
 * way (job -> datasets -> kernels), no package is split across modules, packages form no cycle, and inside
 * {@code kernels} each package uses only the packages below it.
 */
class ArchitectureTest {
    /** kernels' packages and what each may use (besides the JDK and Jackson): the layering, bottom first. */
    private static final Map<String, Set<String>> KERNELS_ALLOWED = kernelsAllowed();

    private static final Map<String, List<CompiledClass>> MODULES = new LinkedHashMap<>();
    private static final Map<String, String> MODULE_OF_PACKAGE = new HashMap<>();

    private static Map<String, Set<String>> kernelsAllowed() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        m.put("io.convjob.error", Set.of());
        m.put("io.convjob.init", Set.of("io.convjob.error"));
        m.put("io.convjob.io", Set.of("io.convjob.error"));
        m.put("io.convjob.spec", Set.of("io.convjob.error", "io.convjob.init"));
        m.put("io.convjob.shape", Set.of("io.convjob.error", "io.convjob.init", "io.convjob.spec"));
        // the resource plan: buffer sizes from the walked shapes, checked against Java's limits and the memory budget
        m.put("io.convjob.plan", Set.of("io.convjob.error", "io.convjob.spec", "io.convjob.shape"));
        Set<String> belowEngines = Set.of("io.convjob.error", "io.convjob.init", "io.convjob.spec", "io.convjob.shape");
        m.put("io.convjob.engine", belowEngines);
        m.put("io.convjob.reference", union(belowEngines, "io.convjob.engine"));
        // the engine choice (fast.Engines) may pick the reference engine; reference knows nothing of fast
        m.put("io.convjob.fast", union(belowEngines, "io.convjob.engine", "io.convjob.reference"));
        // pooling kernels: on the conv engine's choice (fast.Engines) and its thread pool
        m.put("io.convjob.pool", union(belowEngines, "io.convjob.engine", "io.convjob.reference", "io.convjob.fast"));
        Set<String> engines = union(belowEngines, "io.convjob.engine", "io.convjob.reference", "io.convjob.fast",
                "io.convjob.pool");
        m.put("io.convjob", union(engines, "io.convjob.io"));
        // bench on top: kernel benchmarks, and the per-layer profile of a whole Model
        m.put("io.convjob.bench", union(engines, "io.convjob"));
        // PyTorch checkpoints and state-dict weights: file readers (io) mapped onto specs and models
        m.put("io.convjob.torch", Set.of("io.convjob.error", "io.convjob.init", "io.convjob.io", "io.convjob.spec",
                "io.convjob"));
        return m;
    }

    private static Set<String> union(Set<String> base, String... more) {
        Set<String> out = new TreeSet<>(base);
        out.addAll(List.of(more));
        return Set.copyOf(out);
    }

    @BeforeAll
    static void readModules() {
        MODULES.put("kernels", ClassDependencies.moduleOf(Model.class));
        MODULES.put("datasets", ClassDependencies.moduleOf(ArrowTensorSource.class));
        MODULES.put("job", ClassDependencies.moduleOf(Main.class));
        MODULES.forEach((module, classes) -> classes.forEach(c -> MODULE_OF_PACKAGE.put(c.packageName(), module)));
    }

    private static List<CompiledClass> allClasses() {
        List<CompiledClass> all = new ArrayList<>();
        MODULES.values().forEach(all::addAll);
        return all;
    }

    @Test
    void readsTheDependenciesTheSourcesImport() {
        // guards the reader itself: a graph read wrong would make every rule below pass vacuously
        Map<String, TreeMap<String, String>> graph = ClassDependencies.packageGraph(allClasses(), MODULE_OF_PACKAGE.keySet());
        assertTrue(graph.get("io.convjob.shape").containsKey("io.convjob.spec"), graph.get("io.convjob.shape").toString());
        assertTrue(graph.get("io.convjob.job").containsKey("io.convjob.spark"), graph.get("io.convjob.job").toString());
        assertTrue(graph.get("io.convjob.cli").containsKey("io.convjob.job"), graph.get("io.convjob.cli").toString());
        assertTrue(allClasses().size() > 150, "classes read: " + allClasses().size());
    }

    @Test
    void modulesDependOneWay() {
        List<String> order = List.of("kernels", "datasets", "job");
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, List<CompiledClass>> module : MODULES.entrySet()) {
            int rank = order.indexOf(module.getKey());
            for (CompiledClass c : module.getValue()) {
                for (String ref : c.references()) {
                    String target = MODULE_OF_PACKAGE.get(ClassDependencies.packageOf(ref));
                    if (target != null && order.indexOf(target) > rank) {
                        violations.add(module.getKey() + " -> " + target + ": " + c.name() + " uses " + ref);
                    }
                }
            }
        }
        assertEquals(List.of(), violations, "dependencies must point job -> datasets -> kernels");
    }

    @Test
    void kernelsIsPureJava() {
        List<String> violations = new ArrayList<>();
        for (CompiledClass c : MODULES.get("kernels")) {
            for (String ref : c.references()) {
                if (ref.startsWith("org.apache.spark.") || ref.startsWith("org.apache.arrow.")
                        || ref.startsWith("org.apache.hadoop.") || ref.startsWith("scala.")) {
                    violations.add(c.name() + " uses " + ref);
                }
            }
        }
        assertEquals(List.of(), violations, "kernels must not use Spark, Arrow or Hadoop");
    }

    @Test
    void noPackageIsSplitAcrossModules() {
        Map<String, Set<String>> modulesOf = new TreeMap<>();
        MODULES.forEach((module, classes) -> classes.forEach(
                c -> modulesOf.computeIfAbsent(c.packageName(), p -> new TreeSet<>()).add(module)));
        modulesOf.values().removeIf(modules -> modules.size() == 1);
        assertEquals(Map.of(), modulesOf);
    }

    @Test
    void kernelsPackagesUseOnlyThePackagesBelowThem() {
        Map<String, TreeMap<String, String>> graph = ClassDependencies.packageGraph(MODULES.get("kernels"),
                MODULE_OF_PACKAGE.keySet());
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, TreeMap<String, String>> from : graph.entrySet()) {
            Set<String> allowed = KERNELS_ALLOWED.get(from.getKey());
            if (allowed == null) {
                violations.add(from.getKey() + ": a new package; give it its place in KERNELS_ALLOWED and"
                        + " docs/ARCHITECTURE.md");
                continue;
            }
            from.getValue().forEach((to, example) -> {
                if (!allowed.contains(to)) violations.add(from.getKey() + " -> " + to + " (" + example + ")");
            });
        }
        assertEquals(List.of(), violations, "kernels layering: error, init, io | spec | shape | engine | reference"
                + " | fast | io.convjob (layers, model), bench");
    }

    @Test
    void packagesFormNoCycle() {
        Map<String, TreeMap<String, String>> graph = ClassDependencies.packageGraph(allClasses(), MODULE_OF_PACKAGE.keySet());
        List<String> cycles = new ArrayList<>();
        for (Set<String> component : stronglyConnected(graph)) {
            if (component.size() < 2) continue;
            StringBuilder sb = new StringBuilder(String.join(" <-> ", component)).append(':');
            for (String from : component) {
                graph.get(from).forEach((to, example) -> {
                    if (component.contains(to)) sb.append(' ').append(example).append(';');
                });
            }
            cycles.add(sb.toString());
        }
        assertEquals(List.of(), cycles, "package cycles");
    }

    /** Tarjan's strongly connected components; recursion depth is at most the number of packages. */
    private static List<Set<String>> stronglyConnected(Map<String, TreeMap<String, String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String node : graph.keySet()) {
            if (!index.containsKey(node)) connect(node, graph, index, low, stack, onStack, out, counter);
        }
        return out;
    }

    private static void connect(String node, Map<String, TreeMap<String, String>> graph, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> out, int[] counter) {
        index.put(node, counter[0]);
        low.put(node, counter[0]++);
        stack.push(node);
        onStack.add(node);
        for (String next : graph.getOrDefault(node, new TreeMap<>()).keySet()) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, onStack, out, counter);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(node));
            out.add(component);
        }
    }
}
