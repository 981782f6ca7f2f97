import Foundation

/// A JSON value whose objects keep their keys in the order written, so `--json` lines and the
/// server's responses have the documented shape (`image`, `width`, `height`, `faces`, …)
/// rather than hash order.
///
/// ```swift
/// let line = JSONValue.object([("id", .integer(7)), ("name", .string("Ada"))]).rendered
/// // {"id": 7, "name": "Ada"}
/// ```
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double, decimals: Int)
    /// Exact: a Double holds integers only up to 2^53, and ids may be larger.
    case integer(Int)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func number(_ value: Float, decimals: Int = 4) -> JSONValue { .number(Double(value), decimals: decimals) }

    /// Compact single-line rendering.
    public var rendered: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .integer(i): out += String(i)
        case let .number(v, decimals):
            guard v.isFinite else { out += "null"; return }
            if decimals == 0 {
                // Past ±2^63 (an id a client made up, say) Int would trap; print the digits instead.
                if let whole = Int(exactly: v.rounded()) { out += String(whole) } else { out += String(format: "%.0f", v) }
                return
            }
            // Fixed decimals, then trailing zeros trimmed: 31.4 rather than 31.4000.
            var text = String(format: "%.\(decimals)f", v)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            out += text == "-0" ? "0" : text
        case let .string(s): Self.writeString(s, into: &out)
        case let .array(items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.write(into: &out)
            }
            out += "]"
        case let .object(pairs):
            out += "{"
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out += ", " }
                Self.writeString(key, into: &out)
                out += ": "
                value.write(into: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
