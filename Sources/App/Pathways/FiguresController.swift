import Domain
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Organisation figures on applications, for supervisors: a table, an SVG chart (drawn on the
/// server, no JavaScript) and a CSV export with French and English headers.
struct FiguresController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .figures, access: AccessPolicy.supervisors, use: page)
        routes.on(.GET, .figuresCSV, access: AccessPolicy.supervisors, use: csv)
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

    struct FiguresContext: Page {
        static let template = "figures"

        let page: PageChrome
        let rows: [RowView]
        let hasRows: Bool
        let bars: [Bar]
        let chartHeight: Int
    }

    @Sendable
    func page(req: Request) async throws -> Response {
        let rows = try await FiguresQueries.rows(req)
        let names = try await PathwayType.currentNames(on: req.db, language: req.language)
        func number(_ value: Int?) -> String { value.map { req.formatNumber($0) } ?? "—" }
        let views = rows.map { row in
            RowView(
                pathway: names[row.pathwayCode] ?? row.pathwayCode,
                province: Province(rawValue: row.province).map { req.t($0.labelKey) } ?? "—",
                applications: row.applications,
                approvalRate: row.approvalRate.map {
                    $0.formatted(.percent.precision(.fractionLength(0)).locale(Locale(identifier: req.language.localeIdentifier)))
                } ?? "—",
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
            bars.append(
                Bar(
                    label: names[code] ?? code, y: y, y2: y + 20, completeWidth: (complete ?? 0) * 400 / scaleMax,
                    incompleteWidth: (incomplete ?? 0) * 400 / scaleMax,
                    complete: number(complete), incomplete: number(incomplete), textY: y - 6))
        }
        try await req.audit(.figuresViewed, target: try req.requireUser().organisation.id?.uuidString)
        return try await req.render(
            FiguresContext(
                page: PageChrome(req, titleKey: "figures.title"), rows: views, hasRows: !views.isEmpty,
                bars: bars, chartHeight: 40 + bars.count * 56))
    }

    @Sendable
    func csv(req: Request) async throws -> Response {
        let rows = try await FiguresQueries.rows(req)
        let localizer = req.application.localizer
        // Codes for machines, names in the reader's language for people; the rate as a whole
        // percentage, which a spreadsheet reads as a number in any locale (0.667 is text in fr-CA).
        let names = try await PathwayType.currentNames(on: req.db, language: req.language)
        let keys = [
            "figures.pathway", "figures.pathway_name", "figures.province", "figures.province_name", "figures.applications",
            "figures.approval_percent", "figures.median_processing",
            "figures.p90_processing", "figures.median_validity", "figures.complete", "figures.incomplete",
        ]
        var lines = [keys.map { "\(localizer.text($0, .fr)) / \(localizer.text($0, .en))" }]
        for row in rows {
            let cells: [String] = [
                row.pathwayCode, names[row.pathwayCode] ?? row.pathwayCode, row.province,
                Province(rawValue: row.province).map { req.t($0.labelKey) } ?? row.province, String(row.applications),
                row.approvalRate.map { String(Int(($0 * 100).rounded())) } ?? "",
                row.medianProcessing.map(String.init) ?? "", row.p90Processing.map(String.init) ?? "", row.medianValidity.map(String.init) ?? "",
                row.medianProcessingComplete.map(String.init) ?? "", row.medianProcessingIncomplete.map(String.init) ?? "",
            ]
            lines.append(cells)
        }
        try await req.audit(.figuresViewed, target: try req.requireUser().organisation.id?.uuidString, detail: "csv")
        let response = Response(status: .ok, body: .init(string: CSVWriter.document(lines)))
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"passerelle-figures.csv\"")
        return response
    }
}
