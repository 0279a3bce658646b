import Foundation

/// The shape of an encoded value: every key a context encodes, nil optionals included (a
/// synthesized `Encodable` skips them with `encodeIfPresent`, which this encoder records).
final class Shape {
    enum Kind { case unknown, leaf, object, array }
    var kind = Kind.unknown
    /// A dictionary (`[String: String]`, `FormErrors`): any key may be read.
    var isOpen = false
    var keys: [String: Shape] = [:]
    var element: Shape?

    static func of(_ value: some Encodable) throws -> Shape {
        let shape = Shape()
        try value.encode(to: ShapeEncoder(shape: shape))
        return shape
    }

    func child(_ key: String) -> Shape {
        if let child = keys[key] { return child }
        let child = Shape()
        keys[key] = child
        return child
    }
}

private struct ShapeEncoder: Encoder {
    let shape: Shape
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        shape.kind = .object
        if String(describing: Key.self).contains("DictionaryCodingKey") || Key.self == AnyKey.self { shape.isOpen = true }
        return KeyedEncodingContainer(Keyed<Key>(shape: shape))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        shape.kind = .array
        return Unkeyed(shape: shape)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(shape: shape) }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let shape: Shape
        var codingPath: [any CodingKey] = []
        func leaf(_ key: Key) { shape.child(key.stringValue).kind = .leaf }
        mutating func encodeNil(forKey key: Key) { _ = shape.child(key.stringValue) }
        mutating func encode(_ value: Bool, forKey key: Key) { leaf(key) }
        mutating func encode(_ value: String, forKey key: Key) { leaf(key) }
        mutating func encode(_ value: Double, forKey key: Key) { leaf(key) }
        mutating func encode(_ value: Float, forKey key: Key) { leaf(key) }
        mutating func encode(_ value: Int, forKey key: Key) { leaf(key) }
        mutating func encode(_ value: Int8, forKey key: Key) { leaf(key) }
        mutating func encode(_ value: Int16, forKey key: Key) { leaf(key) }
        mutating func encode(_ value: Int32, forKey key: Key) { leaf(key) }
        mutating func encode(_ value: Int64, forKey key: Key) { leaf(key) }
        mutating func encode(_ value: UInt, forKey key: Key) { leaf(key) }
        mutating func encode(_ value: UInt8, forKey key: Key) { leaf(key) }
        mutating func encode(_ value: UInt16, forKey key: Key) { leaf(key) }
        mutating func encode(_ value: UInt32, forKey key: Key) { leaf(key) }
        mutating func encode(_ value: UInt64, forKey key: Key) { leaf(key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try value.encode(to: ShapeEncoder(shape: shape.child(key.stringValue)))
        }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent(_ value: Float?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) { leaf(key) }
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { _ = shape.child(key.stringValue) }
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            ShapeEncoder(shape: shape.child(key.stringValue)).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            ShapeEncoder(shape: shape.child(key.stringValue)).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { ShapeEncoder(shape: shape) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { ShapeEncoder(shape: shape.child(key.stringValue)) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let shape: Shape
        var codingPath: [any CodingKey] = []
        var count = 0
        /// Every element adds its keys to the one element shape (rows differ in their nil optionals).
        var element: Shape {
            if let element = shape.element { return element }
            let element = Shape()
            shape.element = element
            return element
        }
        mutating func encodeNil() { count += 1 }
        mutating func encode<T: Encodable>(_ value: T) throws {
            count += 1
            try value.encode(to: ShapeEncoder(shape: element))
        }
        mutating func encode(_ value: String) {
            count += 1
            element.kind = .leaf
        }
        mutating func encode(_ value: Bool) {
            count += 1
            element.kind = .leaf
        }
        mutating func encode(_ value: Int) {
            count += 1
            element.kind = .leaf
        }
        mutating func encode(_ value: Double) {
            count += 1
            element.kind = .leaf
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            count += 1
            return ShapeEncoder(shape: element).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            count += 1
            return ShapeEncoder(shape: element).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { ShapeEncoder(shape: element) }
    }

    struct Single: SingleValueEncodingContainer {
        let shape: Shape
        var codingPath: [any CodingKey] = []
        mutating func encodeNil() {}
        mutating func encode(_ value: Bool) { shape.kind = .leaf }
        mutating func encode(_ value: String) { shape.kind = .leaf }
        mutating func encode(_ value: Double) { shape.kind = .leaf }
        mutating func encode(_ value: Float) { shape.kind = .leaf }
        mutating func encode(_ value: Int) { shape.kind = .leaf }
        mutating func encode(_ value: Int8) { shape.kind = .leaf }
        mutating func encode(_ value: Int16) { shape.kind = .leaf }
        mutating func encode(_ value: Int32) { shape.kind = .leaf }
        mutating func encode(_ value: Int64) { shape.kind = .leaf }
        mutating func encode(_ value: UInt) { shape.kind = .leaf }
        mutating func encode(_ value: UInt8) { shape.kind = .leaf }
        mutating func encode(_ value: UInt16) { shape.kind = .leaf }
        mutating func encode(_ value: UInt32) { shape.kind = .leaf }
        mutating func encode(_ value: UInt64) { shape.kind = .leaf }
        mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: ShapeEncoder(shape: shape)) }
    }
}

/// The variables a Leaf template reads (`#(…)`, `#if(…)`, `#for(x in …)`, tag arguments), each
/// checked against the shape of the context it is rendered with: a mistyped or removed variable,
/// which Leaf would render as nothing, is reported with its line.
enum TemplateCheck {
    static let keywords: Set<String> = ["in", "true", "false", "nil"]
    static let loopVariables: Set<String> = ["index", "isFirst", "isLast"]

    static func unknownVariables(in template: String, against root: Shape) -> [String] {
        var problems: [String] = []
        var scopes: [[String: Shape]] = []
        var lineNumber = 1
        for line in template.split(separator: "\n", omittingEmptySubsequences: false) {
            defer { lineNumber += 1 }
            var rest = line[...]
            while let match = rest.firstMatch(of: /#(endfor)\b|#([a-z]*)\(/) {
                rest = rest[match.range.upperBound...]
                if match.output.1 != nil {
                    if !scopes.isEmpty { scopes.removeLast() }
                    continue
                }
                let name = String(match.output.2 ?? "")
                guard !["extend", "export", "import"].contains(name) else { continue }
                // The arguments up to the matching parenthesis.
                var depth = 1
                var end = rest.startIndex
                var inString = false
                while end < rest.endIndex, depth > 0 {
                    let character = rest[end]
                    if character == "\"" { inString.toggle() }
                    if !inString { if character == "(" { depth += 1 } else if character == ")" { depth -= 1 } }
                    if depth > 0 { end = rest.index(after: end) }
                }
                let arguments = String(rest[..<end]).replacing(/"[^"]*"/, with: "\"\"")
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : rest[rest.endIndex...]
                if name == "for", let loop = arguments.firstMatch(of: /^\s*([A-Za-z_]\w*)\s+in\s+([A-Za-z_][\w.]*)\s*$/) {
                    let element = resolve(String(loop.output.2), scopes: scopes, root: root, problems: &problems, line: lineNumber)
                    scopes.append([String(loop.output.1): element?.element ?? Shape()])
                    continue
                }
                for path in arguments.matches(of: /[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?![\w.(])/) {
                    let text = String(path.output)
                    guard !keywords.contains(text) else { continue }
                    _ = resolve(text, scopes: scopes, root: root, problems: &problems, line: lineNumber)
                }
            }
        }
        return problems
    }

    /// The shape at `path`, or nil where it cannot be known (an open dictionary, a nil value,
    /// an empty list); a key the shape does not have is a problem.
    private static func resolve(_ path: String, scopes: [[String: Shape]], root: Shape, problems: inout [String], line: Int) -> Shape? {
        let parts = path.split(separator: ".").map(String.init)
        var current: Shape
        var rest = parts[...]
        if let scoped = scopes.reversed().first(where: { $0[parts[0]] != nil })?[parts[0]] {
            current = scoped
            rest = rest.dropFirst()
        } else if loopVariables.contains(parts[0]), !scopes.isEmpty {
            return nil
        } else {
            current = root
        }
        for part in rest {
            if current.isOpen || current.kind == .unknown { return nil }
            guard current.kind == .object, let next = current.keys[part] else {
                problems.append("line \(line): \(path)")
                return nil
            }
            current = next
        }
        return current
    }
}
