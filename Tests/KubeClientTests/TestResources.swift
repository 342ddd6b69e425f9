import KubeClient
import PyBakCore

/// A core/v1 ConfigMap, as the tests use it.
struct ConfigMap: KubeResource, Equatable {
    static let group = ""
    static let version = "v1"
    static let kind = "ConfigMap"
    static let plural = "configmaps"
    static let isNamespaced = true

    var metadata: ObjectMeta
    var data: [String: String]?

    init(name: String, namespace: String? = nil, labels: [String: String]? = nil, data: [String: String]? = nil) {
        metadata = ObjectMeta(name: name, namespace: namespace, labels: labels)
        self.data = data
    }
}

/// The test custom resource `test.pybak.io/v1 Widget`, with a status subresource.
struct Widget: KubeResource {
    static let group = "test.pybak.io"
    static let version = "v1"
    static let kind = "Widget"
    static let plural = "widgets"
    static let isNamespaced = true

    struct Spec: Codable, Equatable {
        var size: Int?
        var color: String?
    }

    struct Status: Codable, Equatable {
        var phase: String?
    }

    var metadata: ObjectMeta
    var spec: Spec
    var status: Status?

    init(name: String, size: Int?, color: String? = nil) {
        metadata = ObjectMeta(name: name)
        spec = Spec(size: size, color: color)
    }

    static let crd = #"""
        {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
         "metadata": {"name": "widgets.test.pybak.io"},
         "spec": {"group": "test.pybak.io", "scope": "Namespaced",
          "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
          "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
            "schema": {"openAPIV3Schema": {"type": "object", "properties": {
              "spec": {"type": "object", "required": ["size"], "properties": {
                "size": {"type": "integer", "minimum": 1, "maximum": 10},
                "color": {"type": "string", "enum": ["red", "blue"], "default": "red"}}},
              "status": {"type": "object", "properties": {"phase": {"type": "string"}}}}}}}]}}
        """#
}

/// coordination.k8s.io/v1 Lease, to show the generic machinery serves the operator's leader election.
struct Lease: KubeResource {
    static let group = "coordination.k8s.io"
    static let version = "v1"
    static let kind = "Lease"
    static let plural = "leases"
    static let isNamespaced = true

    struct Spec: Codable, Equatable {
        var holderIdentity: String?
        var leaseDurationSeconds: Int?
        var acquireTime: String?
        var renewTime: String?
        var leaseTransitions: Int?
    }

    var metadata: ObjectMeta
    var spec: Spec
}
