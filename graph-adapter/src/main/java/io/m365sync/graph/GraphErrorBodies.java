package io.m365sync.graph;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Makes every Graph error answer readable by the SDK's error mapping. Graph (or a proxy or gateway in
 * front of it) sometimes sends its JSON error object as {@code text/plain} or with no content type, and
 * a 5xx may come as HTML; the SDK then fails on the body itself and the status and code are lost (a
 * policy 403 "Access to OData is disabled" would read as an outage). A JSON error object is passed on as
 * {@code application/json} whatever it was labelled; any other body is replaced by an error object
 * naming only its media type (the body's text is never kept: it may hold anything).
 */
final class GraphErrorBodies implements Interceptor {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final long MAX_BODY = 1 << 20;

  @Override
  public Response intercept(Chain chain) throws IOException {
    Response response = chain.proceed(chain.request());
    ResponseBody body = response.body();
    if (response.code() < 400 || body == null || isJson(body.contentType())) {
      return response;
    }
    MediaType type = body.contentType();
    byte[] bytes = response.peekBody(MAX_BODY).bytes();
    response.close();
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    boolean graphError = text.startsWith("{") && GraphErrorMapping.errorText(text)[0] != null;
    byte[] json = graphError ? text.getBytes(StandardCharsets.UTF_8)
        : ("{\"error\":{\"message\":\"Graph answered HTTP " + response.code() + " with a "
            + (type == null ? "body without a content type" : type.type() + "/" + type.subtype() + " body")
            + "\"}}").getBytes(StandardCharsets.UTF_8);
    return response.newBuilder().header("Content-Type", JSON.toString()).body(ResponseBody.create(json, JSON)).build();
  }

  private static boolean isJson(MediaType type) {
    return type != null && type.subtype().toLowerCase(Locale.ROOT).contains("json");
  }
}
