import Vapor

/// Synchroniser-token CSRF defence (ASVS V3.5): the token lives in the server-side session,
/// every form posts it back as `_csrf`, it is compared in constant time, and a browser's
/// `Origin` (or `Referer`) must be our own.
enum CSRF {
    static let fieldName = "_csrf"

    static func verify(_ request: Request, maxBody: ByteCount?) async throws {
        if let origin = request.headers.first(name: .origin) ?? request.headers.first(name: .referer).flatMap(originOf) {
            guard allowedOrigins(request).contains(origin.lowercased()) else { throw PageError.csrf }
        }
        if request.body.data == nil {
            _ = try await request.body.collect(max: maxBody?.value ?? request.application.routes.defaultMaxBodySize.value).get()
        }
        let sent = (try? request.content.get(String.self, at: fieldName)) ?? request.headers.first(name: "X-CSRF-Token")
        guard request.hasSession, let expected = request.session.data["csrf"], let sent,
            Secrets.constantTimeEqual(expected, sent)
        else {
            throw PageError.csrf
        }
    }

    private static func originOf(_ referer: String) -> String? {
        guard let url = URL(string: referer), let scheme = url.scheme, let host = url.host else { return nil }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    private static func allowedOrigins(_ request: Request) -> Set<String> {
        var origins: Set<String> = [request.config.publicURL.lowercased()]
        if let host = request.headers.first(name: .host)?.lowercased(), RequestGuardMiddleware.isLoopback(host: host) {
            // Direct access on the machine itself by a loopback address (the demo, an admin on
            // the server). Any other Host is never an allowed origin: it is what the client says.
            origins.insert((request.config.isHTTPS ? "https://" : "http://") + host)
        }
        return origins
    }
}
