package io.convjob.spec;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every JSON example in README.md and every spec in conf/specs parses: the docs show specs that work. */
class ReadmeSpecsTest {
    private static final Path ROOT = Path.of("..");

    @Test
    void readmeJsonBlocksParse() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher m = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        List<String> blocks = new ArrayList<>();
        while (m.find()) blocks.add(m.group(1));
        assertTrue(blocks.size() >= 7, "README json examples: " + blocks.size());
        for (String block : blocks) SpecParser.parse(block);
    }

    @Test
    void confSpecsParse() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("conf/specs"))) {
            List<Path> specs = files.filter(p -> p.toString().endsWith(".json")).toList();
            assertTrue(specs.size() >= 6, "conf/specs: " + specs);
            for (Path p : specs) SpecParser.parse(p);
        }
    }
}
