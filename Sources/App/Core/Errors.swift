import Vapor

/// Errors a handler means the user to see, each with a catalog message. Anything else becomes
/// a generic 500 with the request id; the detail goes to the log only.
enum PageError: Error, Sendable {
    case notFound
    case forbidden
    case csrf
    case badRequest
    case tooManyRequests

    var status: HTTPResponseStatus {
        switch self {
        case .notFound: .notFound
        case .forbidden, .csrf: .forbidden
        case .badRequest: .badRequest
        case .tooManyRequests: .tooManyRequests
        }
    }

    var messageKey: String {
        switch self {
        case .notFound: "error.404.message"
        case .forbidden: "error.403.message"
        case .csrf: "error.csrf.message"
        case .badRequest: "error.400.message"
        case .tooManyRequests: "error.429.message"
        }
    }
}

struct ErrorContext: Encodable {
    let page: PageChrome
    let status: Int
    let titleKey: String
    let messageKey: String
    let requestID: String
}

/// Replaces Vapor's ErrorMiddleware, which sends error reasons to clients even in production.
struct PageErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return await render(error, for: request)
        }
    }

    private func render(_ error: any Error, for request: Request) async -> Response {
        let status: HTTPResponseStatus
        let messageKey: String
        switch error {
        case let page as PageError:
            status = page.status
            messageKey = page.messageKey
        case let abort as any AbortError:
            status = abort.status
            messageKey = Self.messageKey(for: status)
        case is CaseService.StaleVersion:
            status = .conflict
            messageKey = "case.error.stale"
        case is DecodingError:
            status = .badRequest
            messageKey = "error.400.message"
        default:
            status = .internalServerError
            messageKey = "error.500.message"
        }
        if status.code >= 500 {
            request.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.url.path)"])
        } else {
            request.logger.info("request refused", metadata: ["status": "\(status.code)", "path": "\(request.url.path)"])
        }
        // Allowed 4xx messages only; every 5xx is the same generic page.
        let shown = status.code >= 500 ? HTTPResponseStatus.internalServerError : status
        let context = ErrorContext(
            page: PageChrome(request, titleKey: "error.\(Self.known(shown)).title"),
            status: Int(shown.code), titleKey: "error.\(Self.known(shown)).title", messageKey: messageKey, requestID: request.id)
        do {
            let response = try await request.render("error", context, status: shown)
            if shown == .methodNotAllowed { response.headers.replaceOrAdd(name: .allow, value: "GET, POST") }
            return response
        } catch {
            request.logger.error("error page failed to render", metadata: ["error": "\(error)"])
            return Response(status: shown, headers: ["Content-Type": "text/plain; charset=utf-8"],
                            body: .init(string: "\(shown.code) — \(request.id)"))
        }
    }

    private static let knownStatuses: Set<UInt> = [400, 403, 404, 405, 409, 413, 429, 500]

    private static func known(_ status: HTTPResponseStatus) -> UInt {
        if knownStatuses.contains(status.code) { return status.code }
        return status.code >= 500 ? 500 : 400
    }

    private static func messageKey(for status: HTTPResponseStatus) -> String {
        "error.\(known(status)).message"
    }
}
