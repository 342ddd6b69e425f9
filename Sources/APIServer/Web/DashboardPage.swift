/// The dashboard: one self-contained page (inline CSS, JS and SVG; no CDN).
enum DashboardPage {
    static let contentSecurityPolicy = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'"
    static let html = """
        <!doctype html><title>PyBak</title><p>dashboard</p>
        """
}
