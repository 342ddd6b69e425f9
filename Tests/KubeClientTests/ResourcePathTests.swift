import Testing

@testable import KubeClient

@Suite struct ResourcePathTests {
    @Test func coreAndGroupPaths() {
        let configMaps = ResourceType(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", isNamespaced: true)
        let crds = ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", isNamespaced: false)
        #expect(ResourcePath(configMaps, namespace: "ns").url(server: "https://h:6443/") == "https://h:6443/api/v1/namespaces/ns/configmaps")
        #expect(ResourcePath(configMaps, namespace: nil).path == "/api/v1/configmaps")
        #expect(ResourcePath(configMaps, namespace: "").path == "/api/v1/configmaps")
        #expect(ResourcePath(crds, namespace: "ignored", name: "a.b").path == "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/a.b")
        #expect(ResourcePath(Widget.resourceType, namespace: "x", name: "w", subresource: "status").path == "/apis/test.pybak.io/v1/namespaces/x/widgets/w/status")
        #expect(ResourcePath(configMaps, namespace: "ns", name: "a b/c").path == "/api/v1/namespaces/ns/configmaps/a%20b%2Fc")
    }

    @Test func selectorsAndPaginationAreEncoded() {
        var path = ResourcePath(ConfigMap.resourceType, namespace: "default")
        ListOptions(labelSelector: "app=x,tier!=db,env in (a,b),!gone", fieldSelector: "metadata.name=n", limit: 2, continueToken: "abc+/=", resourceVersion: "7")
            .apply(to: &path)
        #expect(
            path.url(server: "http://127.0.0.1:1")
                == "http://127.0.0.1:1/api/v1/namespaces/default/configmaps?labelSelector=app%3Dx%2Ctier%21%3Ddb%2Cenv%20in%20%28a%2Cb%29%2C%21gone"
                + "&fieldSelector=metadata.name%3Dn&limit=2&continue=abc%2B%2F%3D&resourceVersion=7")
    }

    @Test func watchQuery() {
        var path = ResourcePath(ConfigMap.resourceType, namespace: "d")
        WatchOptions(resourceVersion: "12", labelSelector: "a", timeoutSeconds: 30, allowBookmarks: true).apply(to: &path)
        #expect(path.url(server: "http://h") == "http://h/api/v1/namespaces/d/configmaps?watch=1&resourceVersion=12&labelSelector=a&timeoutSeconds=30&allowWatchBookmarks=true")
        #expect(WatchOptions(timeoutSeconds: 30).effectiveDeadline == 60)
        #expect(WatchOptions(timeoutSeconds: 30, deadline: 5).effectiveDeadline == 5)
        #expect(WatchOptions().effectiveDeadline == nil)
    }
}
