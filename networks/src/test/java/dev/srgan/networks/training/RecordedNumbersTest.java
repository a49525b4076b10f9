package dev.srgan.networks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import dev.srgan.networks.model.Networks;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Guards the rule of {@link Networks#constant}: no code that runs inside a recorded pass gives an
 * {@code NDArray} method a Java number ({@code x.mul(0.5f)}, {@code maximum(0f)}, {@code div(4)}).
 * DJL wraps such a number in an array over a Java direct buffer and frees it at once, while
 * autograd keeps it for the backward pass ({@code GarbageCollectionTest} shows what that does).
 * The networks, the losses and the GAN step are compiled here with javac's own type attribution,
 * and every call to an {@code NDArray} method with a {@code Number} parameter is reported with its
 * file and line. Code outside recorded passes (the optimizer, the EMA, inference) may use numbers:
 * DJL consumes them within the call.
 */
class RecordedNumbersTest {

    /** The sources whose code runs while a {@code GradientCollector} records. */
    private static final List<String> RECORDED = List.of("model", "loss", "training/GanStep.java");

    @Test
    void noNdArrayMethodGetsAJavaNumberInARecordedPass() throws IOException {
        Path root = Path.of("src/main/java/dev/srgan/networks");
        List<Path> sources = new ArrayList<>();
        for (String part : RECORDED) {
            try (Stream<Path> files = Files.walk(root.resolve(part))) {
                files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(sources::add);
            }
        }
        assertTrue(sources.size() > 10, "the sources are found: " + sources);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
            assertEquals(
                    List.of(),
                    numbersGiven(javac, files, files.getJavaFileObjectsFromPaths(sources)),
                    "a Java number given to an NDArray method in a recorded pass: use Networks.constant(like, value)");
        }
    }

    @Test
    void theCheckFindsANumberGivenToAnNdArray() throws IOException {
        JavaFileObject probe =
                new SimpleJavaFileObject(URI.create("string:///Probe.java"), JavaFileObject.Kind.SOURCE) {
                    @Override
                    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                        return """
                        import ai.djl.ndarray.NDArray;
                        class Probe {
                            NDArray f(NDArray x, float w) {
                                NDArray y = x.mul(w).maximum(0);
                                return y.add(x).div(dev.srgan.networks.model.Networks.constant(x, 4f));
                            }
                        }
                        """;
                    }
                };
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
            assertEquals(
                    List.of("Probe.java:4 x.mul(w).maximum(0)", "Probe.java:4 x.mul(w)"),
                    numbersGiven(javac, files, List.of(probe)));
        }
    }

    /** "File.java:line call" for each call of an NDArray method with a Number parameter in the sources. */
    private static List<String> numbersGiven(
            JavaCompiler javac, StandardJavaFileManager files, Iterable<? extends JavaFileObject> units)
            throws IOException {
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> found = new ArrayList<>();
        JavacTask task = (JavacTask) javac.getTask(
                null,
                files,
                diagnostics,
                List.of("-proc:none", "-classpath", System.getProperty("java.class.path")),
                null,
                units);
        Iterable<? extends CompilationUnitTree> trees = task.parse();
        task.analyze();
        Trees positions = Trees.instance(task);
        Types types = task.getTypes();
        TypeElement ndArray = task.getElements().getTypeElement("ai.djl.ndarray.NDArray");
        TypeElement number = task.getElements().getTypeElement("java.lang.Number");
        for (CompilationUnitTree unit : trees) {
            new TreePathScanner<Void, Void>() {
                @Override
                public Void visitMethodInvocation(MethodInvocationTree call, Void unused) {
                    Element called = positions.getElement(getCurrentPath());
                    if (called instanceof ExecutableElement method
                            && types.isSubtype(
                                    types.erasure(method.getEnclosingElement().asType()),
                                    types.erasure(ndArray.asType()))
                            && method.getParameters().stream()
                                    .anyMatch(p -> types.isSameType(p.asType(), number.asType()))) {
                        long line = unit.getLineMap()
                                .getLineNumber(positions.getSourcePositions().getStartPosition(unit, call));
                        String file = unit.getSourceFile().getName();
                        found.add(file.substring(file.lastIndexOf('/') + 1) + ":" + line + " " + call);
                    }
                    return super.visitMethodInvocation(call, unused);
                }
            }.scan(unit, null);
        }
        List<String> errors = diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> d.getSource().getName() + ":" + d.getLineNumber() + " " + d.getMessage(null))
                .toList();
        assertEquals(List.of(), errors, "the sources compile");
        return found;
    }
}
