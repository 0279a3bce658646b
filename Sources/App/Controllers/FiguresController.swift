import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// Organisation figures on applications, for supervisors: a table, an SVG chart (drawn on the
/// server, no JavaScript) and a CSV export with French and English headers.
struct FiguresController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, SiteURL.figures, access: CasesController.supervisors, use: page)
        routes.on(.GET, SiteURL.figures + ".csv", access: CasesController.supervisors, use: csv)
    }

    /// The columns the figures need, read with SQLKit into a plain struct: an organisation can
    /// hold tens of thousands of applications, and Fluent's per-row model decoding is slow.
    struct Raw: Decodable {
        let code: String
        let province: String?
        let state: String
        let submitted_on: Date?
        let decided_on: Date?
        let valid_from: Date?
        let valid_to: Date?
        let complete_at_submission: Bool?
    }

    static func rows(_ req: Request) async throws -> [PathwayFigures.Row] {
        let current = try req.requireUser()
        let sql = req.db as! any SQLDatabase
        let raws = try await sql.select()
            .column(SQLColumn("code", table: "pathway_types")).column(SQLColumn("province", table: "cases"))
            .column(SQLColumn("state", table: "applications")).column(SQLColumn("submitted_on", table: "applications"))
            .column(SQLColumn("decided_on", table: "applications")).column(SQLColumn("valid_from", table: "applications"))
            .column(SQLColumn("valid_to", table: "applications")).column(SQLColumn("complete_at_submission", table: "applications"))
            .from("applications")
            .join("cases", on: SQLColumn("case_id", table: "applications"), .equal, SQLColumn("id", table: "cases"))
            .join("pathway_types", on: SQLColumn("pathway_type_id", table: "applications"), .equal, SQLColumn("id", table: "pathway_types"))
            .where(SQLColumn("organisation_id", table: "applications"), .equal, SQLBind(current.organisation.id!))
            .all(decoding: Raw.self)
        return PathwayFigures.rows(raws.map { raw in
            PathwayFigures.Record(pathwayCode: raw.code, province: raw.province ?? "", state: ApplicationState(rawValue: raw.state) ?? .preparing,
                                  submitted: raw.submitted_on.map(Day.init), decided: raw.decided_on.map(Day.init),
                                  validFrom: raw.valid_from.map(Day.init), validTo: raw.valid_to.map(Day.init),
                                  completeAtSubmission: raw.complete_at_submission)
        })
    }

    struct RowView: Encodable {
        let pathway: String
        let province: String
        let applications: Int
        let approvalRate: String
        let medianProcessing: String
        let p90Processing: String
        let medianValidity: String
        let complete: String
        let incomplete: String
    }

    struct Bar: Encodable {
        let label: String
        let y: Int
        let y2: Int
        let completeWidth: Int
        let incompleteWidth: Int
        let complete: String
        let incomplete: String
        let textY: Int
    }

    struct FiguresContext: Encodable {
        let page: PageChrome
        let rows: [RowView]
        let hasRows: Bool
        let bars: [Bar]
        let chartHeight: Int
    }

    @Sendable
    func page(req: Request) async throws -> Response {
        let rows = try await Self.rows(req)
        let names = Dictionary(try await PathwayType.query(on: req.db).all().map { ($0.code, $0.name(req.language)) }, uniquingKeysWith: { first, _ in first })
        func number(_ value: Int?) -> String { value.map { req.formatNumber($0) } ?? "—" }
        let views = rows.map { row in
            RowView(pathway: names[row.pathwayCode] ?? row.pathwayCode,
                    province: Province(rawValue: row.province).map { req.t($0.labelKey) } ?? "—",
                    applications: row.applications,
                    approvalRate: row.approvalRate.map { $0.formatted(.percent.precision(.fractionLength(0)).locale(Locale(identifier: req.language.localeIdentifier))) } ?? "—",
                    medianProcessing: number(row.medianProcessing), p90Processing: number(row.p90Processing), medianValidity: number(row.medianValidity),
                    complete: number(row.medianProcessingComplete), incomplete: number(row.medianProcessingIncomplete))
        }
        // Chart: median business days by pathway, with vs without a complete checklist.
        let byPathway = Dictionary(grouping: rows, by: \.pathwayCode)
        let scaleMax = max(1, rows.compactMap { max($0.medianProcessingComplete ?? 0, $0.medianProcessingIncomplete ?? 0) }.max() ?? 1)
        var bars: [Bar] = []
        for (index, code) in byPathway.keys.sorted().enumerated() {
            let group = byPathway[code]!
            let complete = ApplicationFigures.percentile(group.compactMap(\.medianProcessingComplete), 0.5)
            let incomplete = ApplicationFigures.percentile(group.compactMap(\.medianProcessingIncomplete), 0.5)
            let y = 30 + index * 56
            bars.append(Bar(label: names[code] ?? code, y: y, y2: y + 20, completeWidth: (complete ?? 0) * 400 / scaleMax, incompleteWidth: (incomplete ?? 0) * 400 / scaleMax,
                            complete: number(complete), incomplete: number(incomplete), textY: y - 6))
        }
        try await req.audit(.figuresViewed, target: try req.requireUser().organisation.id?.uuidString)
        return try await req.render("figures", FiguresContext(page: PageChrome(req, titleKey: "figures.title"), rows: views, hasRows: !views.isEmpty,
                                                               bars: bars, chartHeight: 40 + bars.count * 56))
    }

    @Sendable
    func csv(req: Request) async throws -> Response {
        let rows = try await Self.rows(req)
        let localizer = req.application.localizer
        let keys = ["figures.pathway", "figures.province", "figures.applications", "figures.approval_rate", "figures.median_processing",
                    "figures.p90_processing", "figures.median_validity", "figures.complete", "figures.incomplete"]
        var lines = [keys.map { PathwayFigures.csvCell("\(localizer.text($0, .fr)) / \(localizer.text($0, .en))") }.joined(separator: ",")]
        for row in rows {
            let cells: [String] = [row.pathwayCode, row.province, String(row.applications), row.approvalRate.map { String(format: "%.3f", $0) } ?? "",
                                   row.medianProcessing.map(String.init) ?? "", row.p90Processing.map(String.init) ?? "", row.medianValidity.map(String.init) ?? "",
                                   row.medianProcessingComplete.map(String.init) ?? "", row.medianProcessingIncomplete.map(String.init) ?? ""]
            lines.append(cells.map(PathwayFigures.csvCell).joined(separator: ","))
        }
        try await req.audit(.figuresViewed, target: try req.requireUser().organisation.id?.uuidString, detail: "csv")
        let response = Response(status: .ok, body: .init(string: "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"))
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"passerelle-figures.csv\"")
        return response
    }
}
