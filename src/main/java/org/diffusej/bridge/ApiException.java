package org.diffusej.bridge;

/**
 * An HTTP error answered in AUTOMATIC1111's shape: {@code {"error": type, "detail": message, ...}} with a status.
 * The detail is written for the person who sent the request.
 */
public class ApiException extends Exception {
    private final int status;
    private final String error;

    public ApiException(int status, String error, String detail) {
        super(detail);
        this.status = status;
        this.error = error;
    }

    public static ApiException badRequest(String detail) { return new ApiException(400, "BadRequest", detail); }
    public static ApiException unprocessable(String detail) { return new ApiException(422, "InvalidRequest", detail); }
    public static ApiException notFound(String detail) { return new ApiException(404, "NotFound", detail); }

    public int status() { return status; }
    public String error() { return error; }
    public String detail() { return getMessage(); }
}
