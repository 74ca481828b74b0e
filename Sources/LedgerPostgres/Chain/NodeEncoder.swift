import Foundation

/// The `Encoder` of ``CanonicalJSONEncoder``: one per nested value, holding the node its
/// container builds. The coding path is computed from the parent chain only when asked for
/// (error messages), not built on every nesting.
final class NodeEncoder: Encoder {
    let state: EncodingState
    let parent: NodeEncoder?
    let key: (any CodingKey)?
    /// What was encoded into this encoder; nil while nothing was.
    var node: EncodedNode?

    init(state: EncodingState, parent: NodeEncoder?, key: (any CodingKey)?) {
        self.state = state
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var encoder: NodeEncoder? = self
        while let current = encoder {
            if let key = current.key { path.append(key) }
            encoder = current.parent
        }
        return path.reversed()
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object(let object) = node { return KeyedEncodingContainer(KeyedNodeContainer(encoder: self, object: object)) }
        let object = ObjectNode()
        node = .object(object)
        return KeyedEncodingContainer(KeyedNodeContainer(encoder: self, object: object))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array(let array) = node { return UnkeyedNodeContainer(encoder: self, array: array) }
        let array = ArrayNode()
        node = .array(array)
        return UnkeyedNodeContainer(encoder: self, array: array)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleValueNodeContainer(encoder: self) }

    /// An encoder for a value nested under `key` (nil in an array).
    func child(_ key: (any CodingKey)?) -> NodeEncoder { NodeEncoder(state: state, parent: self, key: key) }
}

/// An object's container.
struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: NodeEncoder
    let object: ObjectNode

    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil(forKey key: Key) { object.append(key.stringValue, encoder.state.null()) }
    mutating func encode(_ value: Bool, forKey key: Key) { object.append(key.stringValue, encoder.state.bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) { object.append(key.stringValue, encoder.state.string(value)) }
    mutating func encode(_ value: Int, forKey key: Key) { object.append(key.stringValue, encoder.state.integer(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) { object.append(key.stringValue, encoder.state.integer(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) { object.append(key.stringValue, encoder.state.integer(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) { object.append(key.stringValue, encoder.state.integer(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) { object.append(key.stringValue, encoder.state.integer(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) { object.append(key.stringValue, encoder.state.integer(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) { object.append(key.stringValue, encoder.state.integer(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) { object.append(key.stringValue, encoder.state.integer(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) { object.append(key.stringValue, encoder.state.integer(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) { object.append(key.stringValue, encoder.state.integer(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { object.append(key.stringValue, try encoder.state.foundation(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { object.append(key.stringValue, try encoder.state.foundation(value)) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        object.append(key.stringValue, try encoder.state.node(for: value, parent: encoder, key: key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = encoder.child(key)
        let container = child.container(keyedBy: keyType)
        object.append(key.stringValue, child.node!)
        return container
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = encoder.child(key)
        let container = child.unkeyedContainer()
        object.append(key.stringValue, child.node!)
        return container
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: "super") }

    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key.stringValue, key) }

    private mutating func superEncoder(named name: String, _ key: (any CodingKey)? = nil) -> any Encoder {
        let child = encoder.child(key)
        object.append(name, .pending(child))
        return child
    }
}

/// An array's container.
struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let encoder: NodeEncoder
    let array: ArrayNode

    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { array.elements.count }

    mutating func encodeNil() { array.elements.append(encoder.state.null()) }
    mutating func encode(_ value: Bool) { array.elements.append(encoder.state.bool(value)) }
    mutating func encode(_ value: String) { array.elements.append(encoder.state.string(value)) }
    mutating func encode(_ value: Int) { array.elements.append(encoder.state.integer(value)) }
    mutating func encode(_ value: Int8) { array.elements.append(encoder.state.integer(value)) }
    mutating func encode(_ value: Int16) { array.elements.append(encoder.state.integer(value)) }
    mutating func encode(_ value: Int32) { array.elements.append(encoder.state.integer(value)) }
    mutating func encode(_ value: Int64) { array.elements.append(encoder.state.integer(value)) }
    mutating func encode(_ value: UInt) { array.elements.append(encoder.state.integer(value)) }
    mutating func encode(_ value: UInt8) { array.elements.append(encoder.state.integer(value)) }
    mutating func encode(_ value: UInt16) { array.elements.append(encoder.state.integer(value)) }
    mutating func encode(_ value: UInt32) { array.elements.append(encoder.state.integer(value)) }
    mutating func encode(_ value: UInt64) { array.elements.append(encoder.state.integer(value)) }
    mutating func encode(_ value: Double) throws { array.elements.append(try encoder.state.foundation(value)) }
    mutating func encode(_ value: Float) throws { array.elements.append(try encoder.state.foundation(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        array.elements.append(try encoder.state.node(for: value, parent: encoder, key: nil))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = encoder.child(nil)
        let container = child.container(keyedBy: keyType)
        array.elements.append(child.node!)
        return container
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = encoder.child(nil)
        let container = child.unkeyedContainer()
        array.elements.append(child.node!)
        return container
    }

    mutating func superEncoder() -> any Encoder {
        let child = encoder.child(nil)
        array.elements.append(.pending(child))
        return child
    }
}

/// A single value's container: sets its encoder's node.
struct SingleValueNodeContainer: SingleValueEncodingContainer {
    let encoder: NodeEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() { encoder.node = encoder.state.null() }
    mutating func encode(_ value: Bool) { encoder.node = encoder.state.bool(value) }
    mutating func encode(_ value: String) { encoder.node = encoder.state.string(value) }
    mutating func encode(_ value: Int) { encoder.node = encoder.state.integer(value) }
    mutating func encode(_ value: Int8) { encoder.node = encoder.state.integer(value) }
    mutating func encode(_ value: Int16) { encoder.node = encoder.state.integer(value) }
    mutating func encode(_ value: Int32) { encoder.node = encoder.state.integer(value) }
    mutating func encode(_ value: Int64) { encoder.node = encoder.state.integer(value) }
    mutating func encode(_ value: UInt) { encoder.node = encoder.state.integer(value) }
    mutating func encode(_ value: UInt8) { encoder.node = encoder.state.integer(value) }
    mutating func encode(_ value: UInt16) { encoder.node = encoder.state.integer(value) }
    mutating func encode(_ value: UInt32) { encoder.node = encoder.state.integer(value) }
    mutating func encode(_ value: UInt64) { encoder.node = encoder.state.integer(value) }
    mutating func encode(_ value: Double) throws { encoder.node = try encoder.state.foundation(value) }
    mutating func encode(_ value: Float) throws { encoder.node = try encoder.state.foundation(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.node = try encoder.state.node(for: value, parent: encoder.parent, key: encoder.key)
    }
}
