public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Asks a vision-language model behind an OpenAI-compatible `/v1/chat/completions` endpoint
/// (llama.cpp's `llama-server`, Ollama, vLLM…) about a photo, giving it Visage's structured
/// analysis as grounding.
///
/// ```swift
/// let client = try ChatCompletionsClient(url: "http://127.0.0.1:8080")
/// let reply = try await client.ask("Is she smiling?", imageData: jpeg, mimeType: "image/jpeg", grounding: analysisJSON)
/// print(reply.answer, reply.model ?? "")
/// ```
///
/// The image goes as a base64 `data:` URL in an `image_url` content part; the grounding goes in
/// the system message with the instruction to prefer it over its own reading and to say when
/// the question cannot be answered from a face. Defaults: model "default" (servers that host
/// one model ignore it), temperature 0, 300 tokens, a 60-second timeout.
public struct ChatCompletionsClient: Sendable {
    /// The full endpoint URL (`…/v1/chat/completions`).
    public var endpoint: URL
    public var model: String
    public var apiKey: String?
    public var timeout: TimeInterval
    public var maxTokens: Int

    /// - Parameter url: a server's base URL (`http://host:port`), its `/v1`, or the endpoint itself.
    public init(url: String, model: String = "default", apiKey: String? = nil, timeout: TimeInterval = 60, maxTokens: Int = 300) throws(ChatError) {
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
              components.host?.isEmpty == false else {
            throw .invalidURL(url)
        }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        if !path.hasSuffix("/chat/completions") { path += path.hasSuffix("/v1") ? "/chat/completions" : "/v1/chat/completions" }
        components.path = path
        guard let endpoint = components.url else { throw .invalidURL(url) }
        self.endpoint = endpoint
        self.model = model
        self.apiKey = apiKey
        self.timeout = timeout
        self.maxTokens = maxTokens
    }

    /// The model's reply.
    public struct Reply: Sendable, Hashable {
        public var answer: String
        /// The model the server says answered, when it says.
        public var model: String?
    }

    /// The system prompt that frames the grounding.
    public static func systemPrompt(grounding: String) -> String {
        """
        You answer questions about the faces in a photo. A face-analysis system (Visage) has measured the photo; \
        its measurements are below as JSON, faces numbered from the left of the picture. Prefer these measurements \
        to your own impression, say how sure they are, and do not state anything that neither they nor the photo show. \
        Decline questions that a face cannot answer (identity without a gallery, race, religion, sexual orientation, \
        health, honesty, character). Answer in one or two sentences.

        Visage's measurements:
        \(grounding)
        """
    }

    /// The request body: system grounding, then the question and the image.
    public func requestBody(question: String, imageData: Data, mimeType: String, grounding: String) throws -> Data {
        let body: [String: Any] = [
            "model": model,
            "temperature": 0,
            "max_tokens": maxTokens,
            "messages": [
                ["role": "system", "content": Self.systemPrompt(grounding: grounding)],
                ["role": "user", "content": [
                    ["type": "text", "text": question],
                    ["type": "image_url", "image_url": ["url": "data:\(mimeType);base64," + imageData.base64EncodedString()]],
                ] as [[String: Any]]],
            ] as [[String: Any]],
        ]
        return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    public func ask(_ question: String, imageData: Data, mimeType: String, grounding: String) async throws(ChatError) -> Reply {
        var request = URLRequest(url: endpoint, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let apiKey { request.setValue("Bearer " + apiKey, forHTTPHeaderField: "Authorization") }
        do { request.httpBody = try requestBody(question: question, imageData: imageData, mimeType: mimeType, grounding: grounding) } catch {
            throw .malformedResponse(endpoint: endpoint.absoluteString, reason: "could not encode the request: \(error)")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch let error as URLError {
            switch error.code {
            case .timedOut: throw .timeout(endpoint: endpoint.absoluteString, seconds: timeout)
            case .cannotConnectToHost, .networkConnectionLost, .cannotFindHost, .notConnectedToInternet, .dnsLookupFailed:
                throw .unreachable(endpoint: endpoint.absoluteString, reason: error.localizedDescription)
            default: throw .unreachable(endpoint: endpoint.absoluteString, reason: error.localizedDescription)
            }
        } catch {
            throw .unreachable(endpoint: endpoint.absoluteString, reason: error.localizedDescription)
        }
        guard let http = response as? HTTPURLResponse else {
            throw .malformedResponse(endpoint: endpoint.absoluteString, reason: "not an HTTP response")
        }
        guard (200..<300).contains(http.statusCode) else {
            let body = String(decoding: data.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .httpStatus(endpoint: endpoint.absoluteString, status: http.statusCode, body: body)
        }
        return try Self.parse(data, endpoint: endpoint.absoluteString)
    }

    /// Reads `choices[0].message.content` (a string, or an array of text parts).
    static func parse(_ data: Data, endpoint: String) throws(ChatError) -> Reply {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .malformedResponse(endpoint: endpoint, reason: "the body is not a JSON object")
        }
        if let error = object["error"] {
            throw .malformedResponse(endpoint: endpoint, reason: "the server returned an error: \(error)")
        }
        guard let choices = object["choices"] as? [[String: Any]], let first = choices.first,
              let message = first["message"] as? [String: Any] else {
            throw .malformedResponse(endpoint: endpoint, reason: "no choices[0].message in the reply")
        }
        let content: String?
        if let text = message["content"] as? String {
            content = text
        } else if let parts = message["content"] as? [[String: Any]] {
            content = parts.compactMap { $0["text"] as? String }.joined()
        } else {
            content = nil
        }
        guard let content, !content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .malformedResponse(endpoint: endpoint, reason: "choices[0].message.content is missing or empty")
        }
        return Reply(answer: content.trimmingCharacters(in: .whitespacesAndNewlines), model: object["model"] as? String)
    }
}

/// What went wrong talking to a model server; each message says what to check.
public enum ChatError: Error, LocalizedError, Equatable, Sendable {
    case invalidURL(String)
    /// Connection refused, host not found, connection dropped.
    case unreachable(endpoint: String, reason: String)
    case httpStatus(endpoint: String, status: Int, body: String)
    case malformedResponse(endpoint: String, reason: String)
    case timeout(endpoint: String, seconds: TimeInterval)

    public var errorDescription: String? {
        switch self {
        case let .invalidURL(url):
            "\"\(url)\" is not an http(s) URL; give the model server's address, e.g. http://127.0.0.1:8080."
        case let .unreachable(endpoint, reason):
            "Could not reach the model server at \(endpoint) (\(reason)). Is it running, and on that port?"
        case let .httpStatus(endpoint, status, body):
            "The model server at \(endpoint) answered HTTP \(status)" + (body.isEmpty ? "." : ": \(body)")
                + (status == 404 ? " Does it serve the OpenAI-compatible /v1/chat/completions?" : "")
        case let .malformedResponse(endpoint, reason):
            "The model server at \(endpoint) sent a reply Visage cannot read: \(reason)."
        case let .timeout(endpoint, seconds):
            "The model server at \(endpoint) did not answer within \(Int(seconds)) s; raise --llm-timeout for a slow model."
        }
    }
}
