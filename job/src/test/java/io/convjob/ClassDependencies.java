package io.convjob;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What compiled classes refer to, read from their constant pools: every class named in a class reference, a field
 * or method descriptor or a generic signature. String constants are left out, so a class built by name through
 * reflection (the Vector API engine, kept out of reach on purpose) is not a dependency.
 */
final class ClassDependencies {
    private static final Pattern CLASS_NAME = Pattern.compile("(?:^|L|\\[)((?:[a-z][a-z0-9_]*/)+[A-Z][\\w$]*)");

    /** A compiled class: its binary name ({@code io.convjob.spec.ModelSpec}) and the classes it refers to. */
    record CompiledClass(String name, Set<String> references) {
        String packageName() { return packageOf(name); }
    }

    private ClassDependencies() {}

    static String packageOf(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? "" : className.substring(0, dot);
    }

    /** Every class in the directory or jar that {@code marker} was loaded from (the module's main classes). */
    static List<CompiledClass> moduleOf(Class<?> marker) {
        Path location;
        try {
            location = Path.of(marker.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        try {
            return Files.isDirectory(location) ? fromDirectory(location) : fromJar(location);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<CompiledClass> fromDirectory(Path dir) throws IOException {
        List<CompiledClass> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                out.add(read(Files.readAllBytes(file)));
            }
        }
        return out;
    }

    private static List<CompiledClass> fromJar(Path jar) throws IOException {
        List<CompiledClass> out = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : file.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                try (InputStream in = file.getInputStream(entry)) {
                    out.add(read(in.readAllBytes()));
                }
            }
        }
        return out;
    }

    /** Parses the constant pool (JVMS 4.4) far enough to know this class's name and every class name it holds. */
    static CompiledClass read(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) throw new IOException("not a class file");
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        Set<Integer> stringConstants = new HashSet<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 8 -> stringConstants.add(in.readUnsignedShort());
                case 16, 19, 20 -> in.readUnsignedShort();
                case 15 -> in.skipBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                case 5, 6 -> {
                    in.skipBytes(8);
                    i++; // longs and doubles take two slots
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        in.readUnsignedShort(); // access flags
        String self = utf8[classNameIndex[in.readUnsignedShort()]].replace('/', '.');
        Set<String> references = new TreeSet<>();
        for (int i = 1; i < count; i++) {
            if (utf8[i] == null || stringConstants.contains(i)) continue;
            Matcher m = CLASS_NAME.matcher(utf8[i]);
            while (m.find()) references.add(m.group(1).replace('/', '.'));
        }
        references.remove(self);
        return new CompiledClass(self, references);
    }

    /**
     * The package graph: for each package, the other packages it refers to, each with one class-to-class example
     * for messages. Only references to packages in {@code known} count.
     */
    static TreeMap<String, TreeMap<String, String>> packageGraph(List<CompiledClass> classes, Set<String> known) {
        TreeMap<String, TreeMap<String, String>> graph = new TreeMap<>();
        for (CompiledClass c : classes) {
            TreeMap<String, String> edges = graph.computeIfAbsent(c.packageName(), p -> new TreeMap<>());
            for (String ref : c.references()) {
                String target = packageOf(ref);
                if (target.equals(c.packageName()) || !known.contains(target)) continue;
                edges.putIfAbsent(target, simple(c.name()) + " -> " + simple(ref));
            }
        }
        return graph;
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
