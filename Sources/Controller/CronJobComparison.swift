import Foundation
import KubeModels
import PyBakCore

/// What create-or-update did to a CronJob.
public enum ChangeKind: String, Sendable, Equatable {
    case created, updated, unchanged
}

/// Compares an observed CronJob with the desired one. The server fills defaults the controller never
/// sets (`terminationMessagePath`, `dnsPolicy`, ...), so "unchanged" means: every field the controller
/// sets has the desired value (the desired object is a subset of the observed one).
public enum CronJobComparison {
    /// The object to write when the observed CronJob differs from the desired one; nil when it matches.
    /// The result keeps the observed `resourceVersion` (so a concurrent change gets 409) and the labels
    /// and annotations others added.
    public static func update(observed: CronJob, desired: CronJob) throws -> CronJob? {
        let observedSpec = try json(observed.spec)
        let desiredSpec = try json(desired.spec)
        let labelsMatch = (desired.metadata.labels ?? [:]).allSatisfy { observed.metadata.labels?[$0.key] == $0.value }
        let ownersMatch = (desired.metadata.ownerReferences ?? []).allSatisfy { owner in
            observed.metadata.ownerReferences?.contains(where: { $0.uid == owner.uid && $0.controller == true }) == true
        }
        if desiredSpec.isSubset(of: observedSpec) && labelsMatch && ownersMatch { return nil }
        var updated = observed
        updated.spec = desired.spec
        updated.metadata.labels = (observed.metadata.labels ?? [:]).merging(desired.metadata.labels ?? [:]) { _, new in new }
        if let owners = desired.metadata.ownerReferences {
            let others = (observed.metadata.ownerReferences ?? []).filter { old in !owners.contains { $0.uid == old.uid } && old.controller != true }
            updated.metadata.ownerReferences = owners + others
        }
        updated.status = nil
        return updated
    }

    static func json<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }
}

extension JSONValue {
    /// Whether every member this value sets is present with the same value in `other`
    /// (objects recursively; arrays element by element and of the same length).
    func isSubset(of other: JSONValue) -> Bool {
        switch (self, other) {
        case (.object(let mine), .object(let theirs)):
            return mine.allSatisfy { key, value in
                guard let their = theirs[key] else { return value == .null }
                return value.isSubset(of: their)
            }
        case (.array(let mine), .array(let theirs)):
            return mine.count == theirs.count && zip(mine, theirs).allSatisfy { $0.isSubset(of: $1) }
        default:
            return self == other
        }
    }
}
