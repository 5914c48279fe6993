package io.m365sync.testkit.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.function.Function;

/**
 * A Jackson mapper for m365sync's records (items, ids, times as ISO-8601 strings), for files that
 * tests and examples keep between runs: snapshots of the model, JSON-file CRM tables.
 */
public final class RecordJson {
  private RecordJson() {}

  /** A new mapper; configure further as needed. */
  public static ObjectMapper mapper() {
    return new ObjectMapper()
        .registerModule(new SimpleModule()
            .addSerializer(Instant.class, toStringSerializer())
            .addDeserializer(Instant.class, parser(Instant::parse))
            .addSerializer(LocalTime.class, toStringSerializer())
            .addDeserializer(LocalTime.class, parser(LocalTime::parse))
            .addSerializer(Duration.class, toStringSerializer())
            .addDeserializer(Duration.class, parser(Duration::parse)))
        .enable(SerializationFeature.INDENT_OUTPUT)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  private static <V> JsonSerializer<V> toStringSerializer() {
    return new JsonSerializer<>() {
      @Override
      public void serialize(V value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
        gen.writeString(value.toString());
      }
    };
  }

  private static <V> JsonDeserializer<V> parser(Function<String, V> parse) {
    return new JsonDeserializer<>() {
      @Override
      public V deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        return parse.apply(p.getValueAsString());
      }
    };
  }
}
