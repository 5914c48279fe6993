package io.m365sync.gateway;

import io.m365sync.Checks;
import io.m365sync.model.SyncItem;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An update of a Microsoft 365 item: the item, and which of its parts to write. Like a Graph PATCH,
 * it leaves everything it does not name untouched, so a CRM that keeps only some fields does not
 * wipe the others in Outlook.
 *
 * @param item the item holding the new values
 * @param fields names of the item record's components to write (e.g. {@code "surname"},
 *     {@code "phones"}); never {@code "extensions"}
 * @param extensions keys of {@code item.extensions()} to write; keys the item does not hold are not
 *     listed: a PATCH cannot remove a single-value extended property in Graph
 */
public record ItemPatch<T extends SyncItem>(T item, Set<String> fields, Set<String> extensions) {
  private static final String EXTENSIONS = "extensions";
  private static final Map<Class<?>, List<String>> FIELDS = new ConcurrentHashMap<>();

  public ItemPatch {
    Checks.requireNonNull(item, "item");
    fields = Set.copyOf(fields);
    extensions = Set.copyOf(extensions);
    List<String> known = fieldNames(item.getClass());
    for (String f : fields) {
      if (!known.contains(f)) {
        throw new IllegalArgumentException("'" + f + "' is not a field of " + item.getClass().getSimpleName()
            + " " + known);
      }
    }
    for (String k : extensions) {
      if (!item.extensions().containsKey(k)) {
        throw new IllegalArgumentException("extension '" + k + "' is not on the item");
      }
    }
  }

  /** Every field and every extension of {@code item}: a whole-item write. */
  public static <T extends SyncItem> ItemPatch<T> full(T item) {
    return new ItemPatch<>(item, Set.copyOf(fieldNames(item.getClass())), item.extensions().keySet());
  }

  /** The names of an item type's fields in declaration order: its record components but {@code extensions}. */
  public static List<String> fieldNames(Class<? extends SyncItem> type) {
    return FIELDS.computeIfAbsent(type, t -> {
      Set<String> names = new LinkedHashSet<>();
      for (RecordComponent c : t.getRecordComponents()) {
        if (!c.getName().equals(EXTENSIONS)) {
          names.add(c.getName());
        }
      }
      return List.copyOf(names);
    });
  }

  /** The value of field {@code name} of {@code item} (for writers and diffs that go by field name). */
  public static Object fieldValue(SyncItem item, String name) {
    for (RecordComponent c : item.getClass().getRecordComponents()) {
      if (c.getName().equals(name)) {
        return read(c, item);
      }
    }
    throw new IllegalArgumentException("'" + name + "' is not a field of " + item.getClass().getSimpleName());
  }

  /** Whether the patch writes field {@code name}. */
  public boolean writes(String name) {
    return fields.contains(name);
  }

  /**
   * {@code current} with this patch applied, as Graph applies a PATCH: the named fields and extension
   * keys take the patch's values, everything else keeps the current one.
   */
  @SuppressWarnings("unchecked")
  public T applyTo(T current) {
    Checks.requireNonNull(current, "current");
    if (current.getClass() != item.getClass()) {
      throw new IllegalArgumentException("a " + item.getClass().getSimpleName() + " patch cannot apply to a "
          + current.getClass().getSimpleName());
    }
    RecordComponent[] components = item.getClass().getRecordComponents();
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      types[i] = c.getType();
      if (c.getName().equals(EXTENSIONS)) {
        Map<String, String> merged = new HashMap<>(current.extensions());
        extensions.forEach(k -> merged.put(k, item.extensions().get(k)));
        args[i] = merged;
      } else {
        args[i] = read(c, fields.contains(c.getName()) ? item : current);
      }
    }
    try {
      Constructor<?> canonical = item.getClass().getDeclaredConstructor(types);
      return (T) canonical.newInstance(args);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot rebuild " + item.getClass().getSimpleName(), e);
    }
  }

  private static Object read(RecordComponent c, Object item) {
    try {
      return c.getAccessor().invoke(item);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + c.getName(), e);
    }
  }

  @Override
  public String toString() {
    return "ItemPatch[" + item.getClass().getSimpleName() + " fields=" + fields + ", extensions=" + extensions.size() + "]";
  }
}
