/// The OpenAPI 3.1 description of the API, written by hand and served at `/openapi.yaml`.
enum OpenAPIDocument {
    static let yaml = """
        openapi: 3.1.0
        """
}
