import Foundation
import Yams

/// Reads a policy file: a whole `BackupPolicy` document, or its spec alone, in YAML or JSON.
public enum PolicyFile {
    /// A loaded policy: its name (when the document has one) and its spec.
    public struct Loaded: Sendable, Equatable {
        /// `metadata.name`, if the document is a whole BackupPolicy.
        public var name: String?
        /// `metadata.namespace`, if given.
        public var namespace: String?
        /// The spec.
        public var spec: BackupPolicySpec
    }

    /// Parses policy text.
    /// - Parameters:
    ///   - text: YAML or JSON.
    ///   - origin: the file name, used in error messages.
    /// - Throws: `PyBakError.config` naming the file, the key and what is wrong.
    public static func parse(_ text: String, origin: String) throws -> Loaded {
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw PyBakError(.config, "\(origin): the file is empty; write a BackupPolicy or its spec")
            }
            node = composed
        } catch let error as PyBakError {
            throw error
        } catch {
            throw PyBakError(.config, "\(origin): not valid YAML or JSON: \(error)")
        }
        guard let mapping = node.mapping else {
            throw PyBakError(.config, "\(origin): expected a mapping (a BackupPolicy document or its spec) at the top")
        }
        let isDocument = mapping["kind"] != nil || mapping["apiVersion"] != nil || mapping["spec"] != nil
        try checkKeys(node, against: isDocument ? .document : .spec, path: isDocument ? "" : "spec", origin: origin)
        do {
            let decoder = YAMLDecoder()
            if isDocument {
                let document = try decoder.decode(BackupPolicyDocument.self, from: node)
                guard document.apiVersion == BackupPolicyDocument.apiVersion else {
                    throw PyBakError(.config, "\(origin): apiVersion is '\(document.apiVersion ?? "")'; PyBak reads \(BackupPolicyDocument.apiVersion)")
                }
                guard document.kind == BackupPolicyDocument.kind else {
                    throw PyBakError(.config, "\(origin): kind is '\(document.kind ?? "")'; PyBak reads \(BackupPolicyDocument.kind)")
                }
                return Loaded(name: document.metadata?.name, namespace: document.metadata?.namespace, spec: document.spec)
            }
            return Loaded(name: nil, namespace: nil, spec: try decoder.decode(BackupPolicySpec.self, from: node))
        } catch let error as PyBakError {
            throw error
        } catch let error as DecodingError {
            throw PyBakError(.config, "\(origin): \(describe(error, prefix: isDocument ? "" : "spec"))")
        } catch {
            throw PyBakError(.config, "\(origin): \(error)")
        }
    }

    /// Reads and parses a policy file.
    /// - Throws: `PyBakError.config` when the file cannot be read or is invalid.
    public static func load(path: String) throws -> Loaded {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw PyBakError(.config, "\(path): cannot read the policy file; check the path and its permissions")
        }
        return try parse(text, origin: path)
    }

    private static func checkKeys(_ node: Node, against schema: PolicyKeys, path: String, origin: String) throws {
        guard let allowed = schema.keys else { return }
        guard let mapping = node.mapping else {
            throw PyBakError(.config, "\(origin): \(path.isEmpty ? "the document" : path) must be a mapping")
        }
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? "\(keyNode)"
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard let child = allowed[key] else {
                let known = allowed.keys.sorted().joined(separator: ", ")
                throw PyBakError(.config, "\(origin): \(keyPath): unknown key; known keys here are \(known)")
            }
            try checkKeys(value, against: child, path: keyPath, origin: origin)
        }
    }

    private static func describe(_ error: DecodingError, prefix: String) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let parts = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            let joined = ([prefix] + parts).filter { !$0.isEmpty }.joined(separator: ".")
            return joined.replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context)): expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context)): missing \(typeName(type))"
        case .keyNotFound(let key, let context):
            return "\(path(context)): missing key '\(key.stringValue)'"
        case .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "a whole number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        case is [String].Type: return "a list of strings"
        default: return "\(type)"
        }
    }
}

