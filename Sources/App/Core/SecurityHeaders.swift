import Vapor

/// Headers of point 7 on every response. It is the outermost middleware, so the error pages
/// produced inside it get them too.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
        "connect-src 'self'", "form-action 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    let https: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            // The error middleware renders every error; this only runs if rendering itself failed.
            response = Response(status: .internalServerError, body: .init(string: "500 — \(request.id)"))
        }
        let headers = [
            ("Content-Security-Policy", Self.contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            // `same-origin`, not `no-referrer`: with no-referrer browsers send `Origin: null` on form
            // posts, which the CSRF origin check must refuse.
            ("Referrer-Policy", "same-origin"),
            ("X-Frame-Options", "DENY"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Cross-Origin-Resource-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
            ("X-Request-Id", request.id),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        if https {
            response.headers.replaceOrAdd(name: .strictTransportSecurity, value: "max-age=63072000; includeSubDomains")
        }
        // Static assets may be cached; anything else may carry personal data.
        if !StaticAssets.isStatic(request.url.path) {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}

enum StaticAssets {
    static let prefixes = ["/css/", "/img/", "/js/"]
    static func isStatic(_ path: String) -> Bool { prefixes.contains { path.hasPrefix($0) } }
}
