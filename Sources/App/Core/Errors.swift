import AsyncKit
import NIOCore
import NIOPosix
import PostgresNIO
import Vapor

/// Errors a handler means the user to see, each with a catalog message. Anything else becomes
/// a generic 500 with the request id; the detail goes to the log only.
enum PageError: Error, Sendable, CaseIterable {
    case notFound
    case forbidden
    case csrf
    case badRequest
    case tooManyRequests
    /// A one-time link (invitation, new password) that has expired or was already used.
    case linkExpired

    var status: HTTPResponseStatus {
        switch self {
        case .notFound: .notFound
        case .forbidden, .csrf: .forbidden
        case .badRequest: .badRequest
        case .tooManyRequests: .tooManyRequests
        case .linkExpired: .gone
        }
    }

    var messageKey: String {
        switch self {
        case .notFound: "error.404.message"
        case .forbidden: "error.403.message"
        case .csrf: "error.csrf.message"
        case .badRequest: "error.400.message"
        case .tooManyRequests: "error.429.message"
        case .linkExpired: "error.410.message"
        }
    }
}

struct ErrorContext: Page {
    static let template = "error"

    let page: PageChrome
    let status: Int
    let titleKey: String
    let messageKey: String
    let requestID: String
    /// When the database could not be reached during a form post: the same fields, to send again
    /// with one button, and the texts the person typed, shown so nothing is lost.
    var resubmitAction: String? = nil
    var resubmitFields: [ResubmitField] = []
    var typedTexts: [String] = []
}

struct ResubmitField: Encodable {
    let name: String
    let value: String
}

/// A request that took longer than `AppConfig.requestDeadline`.
struct RequestDeadlineExceeded: Error {}

/// Answers every request by its deadline. The handler runs in a task of its own; if it has not
/// answered when the deadline comes, the person gets the 503 page with their form to send again
/// (a handler stuck on a connection that a crashed database server will never answer kept
/// requests waiting for minutes). The late handler's result, if any, is dropped.
struct RequestDeadlineMiddleware: AsyncMiddleware {
    let seconds: TimeInterval

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let eventLoop = request.eventLoop
        let promise = eventLoop.makePromise(of: Response.self)
        // An upload arrives while the handler runs; over a slow rural connection it takes minutes.
        let limit = request.headers.contentType?.type == "multipart" ? max(seconds, 900) : seconds
        let deadline = eventLoop.scheduleTask(in: .milliseconds(Int64(limit * 1000))) {
            promise.fail(RequestDeadlineExceeded())
        }
        let work = Task {
            do {
                let response = try await next.respond(to: request)
                deadline.cancel()
                promise.succeed(response)
            } catch {
                deadline.cancel()
                promise.fail(error)
            }
        }
        do {
            return try await promise.futureResult.get()
        } catch let error as RequestDeadlineExceeded {
            work.cancel()
            request.logger.error("request deadline passed", metadata: ["path": "\(request.url.path)", "seconds": "\(seconds)"])
            throw error
        }
    }
}

/// Errors that mean the database could not be reached or did not answer in time: the request is
/// answered 503 at once, never a generic 500 nor a page that hangs.
enum DatabaseOutage {
    static func matches(_ error: any Error) -> Bool {
        switch error {
        case let psql as PSQLError:
            switch psql.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown, .poolClosed, .clientClosedConnection, .queryCancelled:
                return true
            case .server:
                // 08: connection exception; 57: operator intervention (shutdown, statement timeout).
                let state = psql.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || state.hasPrefix("57")
            default:
                return false
            }
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is NIOConnectionError, is IOError, is ChannelError:
            return true
        default:
            return false
        }
    }

    /// The url-encoded fields of a form post, in order.
    static func fields(of request: Request) -> [ResubmitField] {
        guard request.method == .POST, request.headers.contentType == .urlEncodedForm, let body = request.body.data else { return [] }
        return FormBody.pairs(Array(body.readableBytesView)).compactMap { name, value in
            name.isEmpty ? nil : ResubmitField(name: name, value: value)
        }
    }
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
        case _ where DatabaseOutage.matches(error):
            status = .serviceUnavailable
            messageKey = "error.503.message"
        case is RequestDeadlineExceeded:
            status = .serviceUnavailable
            messageKey = "error.503.late"
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
        let shown = status.code >= 500 && status != .serviceUnavailable ? HTTPResponseStatus.internalServerError : status
        var context = ErrorContext(
            page: PageChrome(request, titleKey: "error.\(Self.known(shown)).title"),
            status: Int(shown.code), titleKey: "error.\(Self.known(shown)).title", messageKey: messageKey, requestID: request.id)
        if shown == .serviceUnavailable {
            // Only the person's own post is echoed back to them (escaped), to the path it went to.
            let fields = DatabaseOutage.fields(of: request)
            if !fields.isEmpty {
                context.resubmitAction = request.url.path
                context.resubmitFields = fields
                context.typedTexts = fields.filter { !["_csrf", "version"].contains($0.name) && !$0.name.lowercased().contains("password") }
                    .map(\.value).filter { $0.count > 2 && !$0.allSatisfy(\.isNumber) }
            }
        }
        do {
            let response = try await request.render(context, status: shown)
            if shown == .methodNotAllowed { response.headers.replaceOrAdd(name: .allow, value: "GET, POST") }
            return response
        } catch {
            request.logger.error("error page failed to render", metadata: ["error": "\(error)"])
            return Response(
                status: shown, headers: ["Content-Type": "text/plain; charset=utf-8"],
                body: .init(string: "\(shown.code) — \(request.id)"))
        }
    }

    static let knownStatuses: Set<UInt> = [410, 400, 403, 404, 405, 409, 413, 421, 429, 500, 503]

    private static func known(_ status: HTTPResponseStatus) -> UInt {
        if knownStatuses.contains(status.code) { return status.code }
        return status.code >= 500 ? 500 : 400
    }

    private static func messageKey(for status: HTTPResponseStatus) -> String {
        "error.\(known(status)).message"
    }
}
