public import HTTPTypes
public import Hummingbird
import Foundation
import NIOCore
import OpenAPIRuntime
import Visage
import VisageCore
import VisageGallery
import VisageJSON

/// An error the service answers with: an HTTP status, a stable `code` a client can match, and a
/// message a person can act on. Every response body is `{"error": {"code": …, "message": …}}`,
/// with what a program needs to fix the request after those two where there is more (an
/// unknown form field: `field` and `accepted`).
///
/// Messages never hold server paths, keys or embeddings; the details of an unexpected error go
/// to the log (``ErrorMiddleware``), and the client gets a generic 500.
public struct ServiceError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var headers: HTTPFields
    /// Members of the error object after `code` and `message`, in order.
    var details: [(String, JSONValue)] = []

    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        jsonResponse
    }

    var jsonResponse: Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = JSONValue.object([("error", .object([("code", .string(code)), ("message", .string(message))] + details))]).rendered
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension ServiceError {
    static func unauthorized(_ message: String) -> ServiceError {
        ServiceError(.unauthorized, code: "unauthorized", message: message, headers: [.wwwAuthenticate: #"Bearer realm="visage""#])
    }

    static let forbidden = ServiceError(
        .forbidden, code: "forbidden",
        message: "This API key has the read role; managing people needs a key with the admin role."
    )

    static func badRequest(_ message: String) -> ServiceError {
        ServiceError(.badRequest, code: "bad_request", message: message)
    }

    /// Refusals answered before the body is read close the connection afterwards (``ConnectionGuard``),
    /// so that the client stops sending and every client, also one that writes its whole body
    /// before reading, sees the answer.
    static let closing: HTTPFields = [.connection: "close"]

    static func payloadTooLarge(limit: Int) -> ServiceError {
        ServiceError(.contentTooLarge, code: "payload_too_large",
                     message: "The request body is over the limit of \(limit) bytes. Send a smaller image (downscale or re-encode it as JPEG).",
                     headers: closing)
    }

    /// A refusal for now: try again after `seconds`, on a new connection.
    private static func retryLater(_ status: HTTPResponse.Status, code: String, _ reason: String, after seconds: Int) -> ServiceError {
        ServiceError(status, code: code, message: "\(reason) Retry after \(seconds) s.", headers: closing + [.retryAfter: String(seconds)])
    }

    static func tooManyUploads(retryAfter seconds: Int) -> ServiceError {
        retryLater(.tooManyRequests, code: "too_many_uploads", "This API key already has as many upload bytes in flight as it may, until earlier uploads are answered.", after: seconds)
    }

    static func uploadsFull(retryAfter seconds: Int) -> ServiceError {
        retryLater(.serviceUnavailable, code: "busy", "The server is receiving as many uploads as its memory allows.", after: seconds)
    }

    static func tooManyConnections(retryAfter seconds: Int) -> ServiceError {
        retryLater(.serviceUnavailable, code: "busy", "The server holds as many connections as it may, each with a request in flight.", after: seconds)
    }

    static func bodyTimeout(limit seconds: Int64) -> ServiceError {
        ServiceError(.requestTimeout, code: "request_timeout",
                     message: "The request body did not arrive within \(seconds) s; the server needs a steady upload. Retry on a faster connection or with a smaller image.",
                     headers: closing)
    }

    /// The client went away before its request was read; nobody receives this answer. Status 499,
    /// nginx's "client closed request", so that /metrics counts it apart from server errors.
    static let clientClosed = ServiceError(HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request"), code: "client_closed",
                                           message: "The client closed the connection before its request was read.", headers: closing)

    static let unsupportedMediaType = ServiceError(
        .unsupportedMediaType, code: "unsupported_media_type",
        message: "Send the image as the raw request body with Content-Type image/jpeg, image/png or image/webp, "
            + "or as multipart/form-data with the image in a file field."
    )

    /// A form field the operation does not take (openapi.yaml's forms say `additionalProperties: false`):
    /// a misspelt `metdata` would otherwise be dropped without a word, and the metadata with it.
    static func unknownField(_ name: String, accepted: [String]) -> ServiceError {
        let shown = String(String.UnicodeScalarView(name.unicodeScalars.prefix(64)))
        let list = accepted.map { "`\($0)`" }.joined(separator: ", ")
        var error = ServiceError(.badRequest, code: "unknown_field",
                                 message: "The form has a field `\(shown)` that this operation does not take; it takes \(list). Check the field's spelling; nothing was done.")
        error.details = [("field", .string(shown)), ("accepted", .array(accepted.map(JSONValue.string)))]
        return error
    }

    /// A query parameter the operation does not take: a misspelt `?treshold=0.5` would otherwise
    /// be ignored and the decision made at the default threshold.
    static func unknownParameter(_ name: String, accepted: [String]) -> ServiceError {
        let shown = String(String.UnicodeScalarView(name.unicodeScalars.prefix(64)))
        let takes = accepted.isEmpty ? "it takes none" : "it takes " + accepted.map { "`\($0)`" }.joined(separator: ", ")
        var error = ServiceError(.badRequest, code: "unknown_parameter",
                                 message: "The query has a parameter `\(shown)` that this operation does not take; \(takes). Check its spelling; nothing was done.")
        error.details = [("parameter", .string(shown)), ("accepted", .array(accepted.map(JSONValue.string)))]
        return error
    }

    /// A form part without a name (`Content-Disposition: form-data` with no `name="…"`).
    static func unnamedField(accepted: [String]) -> ServiceError {
        var error = ServiceError(.badRequest, code: "unknown_field",
                                 message: "A part of the form has no name; give each part one (Content-Disposition: form-data; name=\"…\"). This operation takes \(accepted.map { "`\($0)`" }.joined(separator: ", ")).")
        error.details = [("field", .null), ("accepted", .array(accepted.map(JSONValue.string)))]
        return error
    }

    /// A query parameter whose value does not fit its type in openapi.yaml.
    static func misfit(_ name: String) -> ServiceError {
        badRequest("`\(name.prefix(64))` has a value this operation does not take; GET /openapi.json gives its type and range.")
    }

    static func noFace(_ field: String) -> ServiceError {
        ServiceError(.unprocessableContent, code: "no_face", message: "No face found in image `\(field)`. Send a photo where a face is visible and at least about 30 pixels wide.")
    }

    static func busy(retryAfter seconds: Int) -> ServiceError {
        ServiceError(.serviceUnavailable, code: "busy",
                     message: "The server is analysing as many images as it can and its queue is full. Retry after \(seconds) s, or send fewer requests at once.",
                     headers: closing + [.retryAfter: String(seconds)])
    }

    static func timedOut(retryAfter seconds: Int) -> ServiceError {
        ServiceError(.serviceUnavailable, code: "timeout",
                     message: "The request waited too long for a free analysis slot. Retry after \(seconds) s, or send fewer requests at once.",
                     headers: [.retryAfter: String(seconds)])
    }

    static let internalError = ServiceError(
        .internalServerError, code: "internal",
        message: "The server failed to handle this request; the details are in its log. Retry, and report it if it persists."
    )

    /// The service's answer for any error: ours as they are, the others translated, and anything
    /// unexpected as a generic 500 (nil `logDetail` means the client's answer says it all).
    static func from(_ error: any Error, bodyLimit: Int, spec: OpenAPISpec = .bundled) -> (error: ServiceError, logDetail: String?) {
        switch error {
        case let error as ServiceError:
            return (error, nil)
        case let error as ServerError:
            return from(error, bodyLimit: bodyLimit, spec: spec)
        case let error as VerificationError:
            // The form fields of POST /v1/verify.
            switch error {
            case .noFace(.first): return (noFace("a"), nil)
            case .noFace(.second): return (noFace("b"), nil)
            }
        case let error as ImageError:
            return from(error)
        case let error as GalleryError:
            return from(error)
        case is NIOTooManyBytesError:
            return (payloadTooLarge(limit: bodyLimit), nil)
        case let error as HTTPError:
            return (from(error), nil)
        case let error as any HTTPResponseError:
            return (ServiceError(error.status, code: code(for: error.status), message: defaultMessage(for: error.status)), nil)
        default:
            return (internalError, String(reflecting: error))
        }
    }

    /// What the generated server code threw: the handler's own error as it is, or a request the
    /// code generated from openapi.yaml could not read (a parameter of the wrong type, a body of a
    /// type the operation does not take), answered with a message that names the input.
    private static func from(_ error: ServerError, bodyLimit: Int, spec: OpenAPISpec) -> (ServiceError, String?) {
        // The input was read, so the handler (or what it called) threw.
        if error.operationInput != nil { return from(error.underlyingError, bodyLimit: bodyLimit, spec: spec) }
        let operation = spec.operations.first { $0.operationID == error.operationID }
        switch error.httpStatus.code {
        case 415:
            // UploadMiddleware has let through only image and multipart bodies: this one is of
            // the right kind but not what this operation takes (image/gif, or a raw image to
            // verify), which is a 415 as much as a body that is no image at all.
            let received = error.request.headerFields[.contentType].map { String($0.prefix(80)) } ?? "no Content-Type"
            let takes = operation.map { $0.contentTypes.joined(separator: ", ") } ?? "another body type"
            return (ServiceError(.unsupportedMediaType, code: "unsupported_media_type",
                                 message: "This operation takes \(takes), not \(received); GET /openapi.json describes each operation's body."), nil)
        case 400..<500:
            if error.underlyingError is DecodingError,
               let name = operation?.misfit(in: error.request.path.flatMap { $0.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) } ?? "") {
                return (misfit(name), nil)
            }
            return (ServiceError(error.httpStatus, code: code(for: error.httpStatus),
                                 message: "The request could not be read: \(error.causeDescription.prefix(300)) GET /openapi.json describes the API."), nil)
        default:
            return from(error.underlyingError, bodyLimit: bodyLimit, spec: spec)
        }
    }

    private static func from(_ error: ImageError) -> (ServiceError, String?) {
        // In-memory decoding names the source after the form field, so the message holds no path.
        switch error {
        case .tooLarge:
            return (ServiceError(.unprocessableContent, code: "image_too_large", message: error.localizedDescription
                .replacingOccurrences(of: ", or raise ImageDecodingOptions.maxPixels if you trust the file", with: " (the server's --max-pixels sets the limit)")), nil)
        case .unsupportedFormat:
            return (ServiceError(.unsupportedMediaType, code: "unsupported_image", message: error.localizedDescription), nil)
        case let .empty(source):
            return (ServiceError(.badRequest, code: "empty_image", message: "\(source) is empty (0 bytes); send the file's contents."), nil)
        case .corrupt:
            return (ServiceError(.badRequest, code: "corrupt_image", message: error.localizedDescription), nil)
        case .tooManyScans:
            // Refused by a limit, as a picture over --max-pixels is.
            return (ServiceError(.unprocessableContent, code: "too_many_scans", message: error.localizedDescription), nil)
        default:
            return (internalError, String(reflecting: error))
        }
    }

    private static func from(_ error: GalleryError) -> (ServiceError, String?) {
        switch error {
        case let .unknownPerson(id):
            return (ServiceError(.notFound, code: "unknown_person", message: "No person with id \(id) in the gallery; GET /v1/people lists the ids."), nil)
        case .noFace:
            return (noFace("image"), nil)
        case .nothingToEnroll:
            return (badRequest("Nothing to enrol: send at least one image with a face."), nil)
        case .consentMissing:
            return (ServiceError(.unprocessableContent, code: "consent_required",
                                 message: "This gallery enrols people only with a record of their consent: send multipart with a "
                                    + "metadata field holding \"\(Gallery.consentMetadataKey)\", e.g. {\"\(Gallery.consentMetadataKey)\": \"form 2026-114\"}."), nil)
        case .storeUnavailable:
            // A database outage is temporary, and its details (host, user) are the operator's business.
            return (ServiceError(.serviceUnavailable, code: "gallery_unavailable",
                                 message: "The gallery's database cannot be reached just now; try again shortly.",
                                 headers: [.retryAfter: "5"]), String(reflecting: error))
        default:
            // Paths and key problems are the operator's business, not the client's.
            return (internalError, String(reflecting: error))
        }
    }

    private static func from(_ error: HTTPError) -> ServiceError {
        let message = error.body.flatMap { $0.isEmpty ? nil : $0 } ?? defaultMessage(for: error.status)
        return ServiceError(error.status, code: code(for: error.status), message: message, headers: error.headers)
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 408: "request_timeout"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 422: "unprocessable"
        case 429: "too_many_requests"
        case 503: "unavailable"
        case 500...: "internal"
        default: "error_\(status.code)"
        }
    }

    static func defaultMessage(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "No such endpoint. GET /openapi.json lists the API; the web page is at /."
        case 405: "This endpoint does not take this method; GET /openapi.json lists the methods of each path."
        case 400: "The request could not be read; check it against GET /openapi.json."
        default: status.reasonPhrase
        }
    }
}
