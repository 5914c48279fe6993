package io.m365sync.examples.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;

/**
 * The JVM's class histogram of live objects (after a full GC), as {@code jcmd GC.class_histogram}
 * prints it: what a part of the heap is made of, by taking one with that part alive and one without.
 */
final class HeapHistogram {
  /** Bytes and instances of one class. */
  record Line(String className, long bytes, long instances) {}

  private final Map<String, Line> lines;

  private HeapHistogram(Map<String, Line> lines) {
    this.lines = lines;
  }

  static HeapHistogram take() {
    try {
      String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      Map<String, Line> lines = new HashMap<>();
      for (String row : text.split("\n")) {
        String[] f = row.trim().split("\\s+");
        if (f.length >= 4 && f[0].endsWith(":")) { // " 1:  521630  86043176  [B (java.base@17)"
          lines.put(f[3], new Line(f[3], Long.parseLong(f[2]), Long.parseLong(f[1])));
        }
      }
      return new HeapHistogram(lines);
    } catch (Exception e) {
      throw new IllegalStateException("the JVM did not give its class histogram: " + e.getMessage(), e);
    }
  }

  /** What this histogram holds beyond {@code without}, the largest first, at most {@code top} classes. */
  List<Line> minus(HeapHistogram without, int top) {
    List<Line> diff = new ArrayList<>();
    lines.forEach((name, l) -> {
      Line o = without.lines.getOrDefault(name, new Line(name, 0, 0));
      diff.add(new Line(name, l.bytes() - o.bytes(), l.instances() - o.instances()));
    });
    diff.sort((a, b) -> Long.compare(b.bytes(), a.bytes()));
    return diff.subList(0, Math.min(top, diff.size()));
  }
}
