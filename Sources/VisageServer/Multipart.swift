/// One field of a `multipart/form-data` body (RFC 7578): a name, an optional file name and
/// content type, and the bytes.
public struct MultipartPart: Sendable, Equatable {
    public var name: String
    public var filename: String?
    public var contentType: String?
    public var body: [UInt8]

    public init(name: String, filename: String? = nil, contentType: String? = nil, body: [UInt8]) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.body = body
    }

    /// The body as UTF-8 text, for plain fields such as `name`.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A small, strict `multipart/form-data` parser for bodies already held in memory (the body
/// limit applies before parsing). It accepts a preamble and an epilogue, requires CRLF line
/// ends, and refuses anything malformed with a message that says what was wrong, never by
/// trapping: every index is checked against the buffer.
public enum Multipart {
    /// At most this many parts, so a body of tiny parts cannot cost more than it should.
    public static let maxParts = 32
    /// At most this many bytes of headers per part.
    public static let maxHeaderBytes = 8 * 1024

    /// The boundary parameter of a `multipart/form-data` content type, nil when it is not one
    /// or the boundary is missing or invalid (1 to 70 characters, RFC 2046).
    public static func boundary(contentType: String) -> String? {
        let (type, parameters) = parseHeaderValue(contentType)
        guard type.lowercased() == "multipart/form-data", let boundary = parameters["boundary"],
              (1...70).contains(boundary.utf8.count) else { return nil }
        return boundary
    }

    /// Splits `body` into its parts.
    public static func parse(_ body: [UInt8], boundary: String) throws(MultipartError) -> [MultipartPart] {
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        let nextDelimiter = crlf + delimiter
        // The first delimiter starts the body or follows a preamble's CRLF.
        var position: Int
        if body.starts(with: delimiter) {
            position = delimiter.count
        } else if let found = search(nextDelimiter, in: body, from: 0) {
            position = found + nextDelimiter.count
        } else {
            throw MultipartError("the body has no `--\(boundary)` delimiter; send it as multipart/form-data with the boundary named in Content-Type")
        }
        var parts: [MultipartPart] = []
        while true {
            // After a delimiter: `--` closes the body; otherwise optional padding, then CRLF.
            if body.count >= position + 2, body[position] == 45, body[position + 1] == 45 { return parts }
            while position < body.count, body[position] == 32 || body[position] == 9 { position += 1 }
            guard body.count >= position + 2, body[position] == 13, body[position + 1] == 10 else {
                throw MultipartError("the body ends early or a delimiter is not followed by a line break")
            }
            position += 2
            guard parts.count < maxParts else { throw MultipartError("more than \(maxParts) parts") }
            guard let headerEnd = search([13, 10, 13, 10], in: body, from: position - 2, limit: maxHeaderBytes) else {
                throw MultipartError("part \(parts.count + 1) has no end of headers (a blank line) within \(maxHeaderBytes) bytes")
            }
            let headerBytes = headerEnd > position ? Array(body[position..<headerEnd]) : []
            let contentStart = headerEnd + 4
            guard let contentEnd = search(nextDelimiter, in: body, from: contentStart - 2) else {
                throw MultipartError("part \(parts.count + 1) is not closed by `--\(boundary)`; the body may be cut short")
            }
            var part = try parseHeaders(headerBytes, index: parts.count + 1)
            part.body = contentEnd > contentStart ? Array(body[contentStart..<contentEnd]) : []
            parts.append(part)
            position = contentEnd + nextDelimiter.count
        }
    }

    private static func parseHeaders(_ bytes: [UInt8], index: Int) throws(MultipartError) -> MultipartPart {
        var name: String?
        var filename: String?
        var contentType: String?
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else {
                throw MultipartError("part \(index) has a header line without a colon")
            }
            let field = line[..<colon].trimmingSpaces().lowercased()
            let value = String(line[line.index(after: colon)...]).trimmingSpaces()
            switch field {
            case "content-disposition":
                let (kind, parameters) = parseHeaderValue(value)
                guard kind.lowercased() == "form-data" else {
                    throw MultipartError("part \(index) is `\(kind.prefix(40))`, not form-data")
                }
                name = parameters["name"]
                filename = parameters["filename"]
            case "content-type":
                contentType = value
            default:
                continue
            }
        }
        guard let name else {
            throw MultipartError("part \(index) has no Content-Disposition with a field name")
        }
        return MultipartPart(name: name, filename: filename, contentType: contentType, body: [])
    }

    /// `type; key=value; key="quoted \" value"` → the type and the parameters (keys lowercased).
    static func parseHeaderValue(_ value: String) -> (String, [String: String]) {
        var scalars = Substring(value).unicodeScalars[...]
        var type = ""
        while let c = scalars.first, c != ";" { type.unicodeScalars.append(c); scalars.removeFirst() }
        var parameters: [String: String] = [:]
        while !scalars.isEmpty {
            scalars.removeFirst()  // the ';'
            var key = ""
            while let c = scalars.first, c != "=", c != ";" { key.unicodeScalars.append(c); scalars.removeFirst() }
            guard scalars.first == "=" else { continue }
            scalars.removeFirst()
            while scalars.first == " " { scalars.removeFirst() }
            var parameterValue = ""
            if scalars.first == "\"" {
                scalars.removeFirst()
                while let c = scalars.first {
                    scalars.removeFirst()
                    if c == "\"" { break }
                    if c == "\\", let escaped = scalars.first { parameterValue.unicodeScalars.append(escaped); scalars.removeFirst(); continue }
                    parameterValue.unicodeScalars.append(c)
                }
                while let c = scalars.first, c != ";" { scalars.removeFirst() }
            } else {
                while let c = scalars.first, c != ";" { parameterValue.unicodeScalars.append(c); scalars.removeFirst() }
                parameterValue = parameterValue.trimmingSpaces()
            }
            parameters[key.trimmingSpaces().lowercased()] = parameterValue
        }
        return (type.trimmingSpaces(), parameters)
    }

    /// Index of the first occurrence of `pattern` in `bytes` at or after `start`, looking no
    /// further than `limit` bytes past `start` when given.
    static func search(_ pattern: [UInt8], in bytes: [UInt8], from start: Int, limit: Int? = nil) -> Int? {
        let start = max(0, start)
        guard !pattern.isEmpty, bytes.count >= pattern.count, start <= bytes.count - pattern.count else { return nil }
        var last = bytes.count - pattern.count
        if let limit { last = min(last, start + limit) }
        return bytes.withUnsafeBufferPointer { haystack in
            pattern.withUnsafeBufferPointer { needle in
                let first = needle[0]
                var i = start
                outer: while i <= last {
                    if haystack[i] == first {
                        for j in 1..<needle.count where haystack[i + j] != needle[j] {
                            i += 1
                            continue outer
                        }
                        return i
                    }
                    i += 1
                }
                return nil
            }
        }
    }
}

/// A multipart body that could not be read; the message says what was wrong.
public struct MultipartError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
