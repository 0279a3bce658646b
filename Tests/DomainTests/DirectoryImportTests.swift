import Domain
import Foundation
import Testing

@Suite struct DirectoryImportParsingTests {
    @Test func theHSDSPackageIsJoinedByServiceAndEveryBadCellIsNamed() {
        // setup
        let service = "5f0c7a52-3e0e-4c33-9a55-0d2a6a0c0001"
        let files = [
            "services.csv": """
            \u{FEFF}id,organization_id,name,status,name_fr,name_en,categories,eligible_immigration_statuses,minimum_age,assured_date
            \(service),5f0c7a52-3e0e-4c33-9a55-0d2a6a0c0002,Shelter,active,Refuge (fictif),Shelter (fictional),shelter,no_status,18,2026-11-02
            pas-un-id,5f0c7a52-3e0e-4c33-9a55-0d2a6a0c0002,X,open,X,X,nope,,douze,2026-13-40
            """,
            "phones.csv": "id,service_id,number\na,\(service),555-0100\nb,5f0c7a52-3e0e-4c33-9a55-0d2a6a0c0999,555-0101\n",
            "schedules.csv": "id,service_id,freq,byday,opens_at,closes_at\na,\(service),WEEKLY,MO,09:00,17:00\nb,\(service),WEEKLY,XX,09:00,17:00\n",
            "languages.csv": "id,service_id,name,code\na,\(service),tl,tl\nb,\(service),zz,zz\n",
        ]
        // MUT
        let result = DirectoryImport.hsds(files, languages: ["fr", "en", "tl"])
        // validate
        let first = result.drafts[0]
        #expect(first.nameFR == "Refuge (fictif)" && first.status == .active && first.categories == [.shelter] && first.eligible == [.noStatus])
        #expect(first.phone == "555-0100" && first.languages == ["tl"] && first.hours?.days[.mon] == .init(opens: 540, closes: 1020))
        #expect(first.minimumAge == .some(18) && first.verifiedOn == Day(year: 2026, month: 11, day: 2))
        let problems = Set(result.problems.map { "\($0.file):\($0.line):\($0.column):\($0.reason.rawValue)" })
        for expected in [
            "services.csv:3:id:bad_id", "services.csv:3:status:unknown_value", "services.csv:3:categories:unknown_value",
            "services.csv:3:minimum_age:not_a_number", "services.csv:3:assured_date:bad_date", "phones.csv:3:service_id:unknown_service",
            "schedules.csv:3:byday:bad_hours", "languages.csv:3:code:unknown_value",
        ] {
            #expect(problems.contains(expected), "\(expected)")
        }
        #expect(result.good.count == 0 || result.good.allSatisfy { $0.line != 3 })
    }

    @Test func aPlainRowOverTwoLinesIsOneRecordAndLinesCountAsASpreadsheetDoes() {
        // setup
        var vocabulary = DirectoryImport.Vocabulary()
        vocabulary.provinces = ["alberta": "AB", "ab": "AB"]
        vocabulary.categories = ["logement": "housing"]
        let columns: [String: DirectoryImport.PlainColumn] = ["service": .name, "province": .province, "lieu": .city, "categorie": .category]
        let text = "Service,Province,Lieu,Catégorie,Couleur\n\"Deux\nlignes\",Alberta,Brooks,Logement,bleu\n,AB,Brooks,Logement,\n"
        // MUT
        let result = DirectoryImport.plain(text, columns: columns, vocabulary: vocabulary, fileName: "f.csv")
        // validate
        #expect(result.drafts.count == 2 && result.drafts[0].nameFR == "Deux\nlignes" && result.drafts[0].province == .AB)
        #expect(result.problems.contains { $0.line == 1 && $0.column == "Couleur" && $0.reason == .unknownColumn })
        #expect(result.problems.contains { $0.line == 3 && $0.column == "Service" && $0.reason == .required })
        #expect(result.good.map(\.line) == [2])
    }
}
