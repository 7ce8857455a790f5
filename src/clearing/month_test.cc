// A month computed from the store (month.h): one scan and the two-snapshot
// scan give the month the pure MonthCloser gives from the same rows in
// memory, byte for byte; an institution's view keeps its rows only; and a
// stored report reads back to the same bytes, amounts a double cannot hold
// included.
#include "clearing/month.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

#include "clearing/clearing_test_util.h"
#include "clearing/report.h"

namespace xt::clearing {
namespace {

using testing::Book;
using testing::Reverse;
using testing::Settle;
using testing::T;
using testing::kBjHosp;
using testing::kHbHosp;
using testing::kTjHosp;


class ClearingMonthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("xt_month_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db"))
                .string();
    Remove();
    auto opened = store::OpenSqliteStore(path_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    store_.reset();
    Remove();
  }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }

  // Rows of March 2024 across three provinces, with reversals, and one of
  // April; a row's medfee of 2^53 + 1 fen, which no double holds.
  void Record() {
    const char* const kTimes[] = {"2024-03-03 10:00:00", "2024-03-15 12:30:00", "2024-03-31 23:59:59"};
    for (int i = 0; i < 300; ++i) {
      const std::string id = "S" + std::to_string(i);
      const Fen medfee = 10000 + 137 * i;
      const Fen pooled = medfee / 2 + i;
      store::SettlementRow r =
          i % 3 == 0   ? Settle({id, "130500", "120104", kTjHosp, "310", "21", kTimes[i % 3], medfee, pooled})
          : i % 3 == 1 ? Settle({id, "110000", "130102", kHbHosp, "390", "11", kTimes[i % 3], medfee, pooled, 0, 0, 29})
                       : Settle({id, "120000", "110105", kBjHosp, "310", "11", kTimes[i % 3], medfee, pooled});
      Add(r);
      if (i % 7 == 0) Add(Reverse(r, "R" + std::to_string(i), "2024-03-31 23:59:59"));
    }
    Add(Settle({"BIG", "130500", "110105", kBjHosp, "310", "21", "2024-03-20 09:00:00", 9007199254740993,
                4503599627370496}));
    Add(Settle({"APRIL", "130500", "120104", kTjHosp, "310", "11", "2024-04-01 00:00:00", 5000, 2500}));
    ASSERT_TRUE(store_->Write([&](store::WriteTxn& txn) -> Status {
                        for (const auto& row : book_.rows) XT_RETURN_IF_ERROR(txn.settlements().InsertSettlement(row));
                        return Status::Ok();
                      }).ok());
  }
  void Add(const store::SettlementRow& row) { book_.Add(row); }

  std::string path_;
  std::unique_ptr<store::Store> store_;
  Book book_;
};

TEST_F(ClearingMonthTest, OneScanAndTwoSnapshotsGiveTheMonthOfTheRowsInMemory) {
  Record();
  const CloseRequest march{202403, book_.seq(), T("2024-04-02 10:00:00")};
  auto in_memory = CloseMonth({}, march, book_.facts, book_.codes);
  ASSERT_TRUE(in_memory.ok()) << in_memory.status().ToString();
  const std::string expected = MonthJson(*in_memory);

  ClearingHistory history;
  std::optional<Result<MonthResult>> one_scan;
  ASSERT_TRUE(store_->Read([&](store::ReadTxn& txn) -> Status {
                      XT_ASSIGN_OR_RETURN(history, HistoryOf(txn));
                      one_scan.emplace(ComputeMonth(txn, history, march));
                      return Status::Ok();
                    }).ok());
  EXPECT_TRUE(history.closed.empty());
  ASSERT_TRUE(one_scan.has_value());
  ASSERT_TRUE(one_scan->ok()) << one_scan->status().ToString();
  EXPECT_EQ(MonthJson(**one_scan), expected);
  auto two_snapshots = ComputeMonthParallel(*store_, history, march);
  ASSERT_TRUE(two_snapshots.ok()) << two_snapshots.status().ToString();
  EXPECT_EQ(MonthJson(*two_snapshots), expected);
  EXPECT_EQ(two_snapshots->rows, 300 + 43 + 1) << "March's settlements, reversals and the large one; not April's";
}

TEST_F(ClearingMonthTest, AnInstitutionsViewKeepsItsRowsOnly) {
  Record();
  const CloseRequest march{202403, book_.seq(), T("2024-04-02 10:00:00")};
  std::optional<Result<MonthResult>> hebei;
  ASSERT_TRUE(store_->Read([&](store::ReadTxn& txn) -> Status {
                      hebei.emplace(ComputeMonth(txn, {}, march, kHbHosp));
                      return Status::Ok();
                    }).ok());
  ASSERT_TRUE(hebei.has_value());
  ASSERT_TRUE(hebei->ok()) << hebei->status().ToString();
  const MonthResult& m = **hebei;
  ASSERT_EQ(m.institutions.size(), 1u);
  EXPECT_EQ(m.institutions[0].fixmedins_code, kHbHosp);
  EXPECT_EQ(m.institutions[0].settlements, 100);
  ASSERT_EQ(m.flows.size(), 1u);
  EXPECT_EQ(m.flows[0].insuplc_province, "110000");
}

TEST_F(ClearingMonthTest, AStoredReportReadsBackToTheSameBytes) {
  Record();
  auto month = ComputeMonthParallel(*store_, {}, CloseRequest{202403, book_.seq(), T("2024-04-02 10:00:00")});
  ASSERT_TRUE(month.ok()) << month.status().ToString();
  const std::string report = MonthJson(*month);
  ASSERT_NE(report.find("90071992547409.93"), std::string::npos) << "the large row's medfee, to the fen";
  auto back = ParseMonthJson(report);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(MonthJson(*back), report);
  EXPECT_EQ(ParseMonthJson("[1]").status().code(), "XT-CLR-002");
  EXPECT_EQ(ParseMonthJson("not json").status().code(), "XT-CLR-002");
}

TEST(ClearingMonths, PrevMonthAndStartOfMonth) {
  EXPECT_EQ(PrevMonth(202401), 202312);
  EXPECT_EQ(NextMonth(PrevMonth(202407)), 202407);
  EXPECT_EQ(StartOfMonth(202402), EndOf(202401));
}

}  // namespace
}  // namespace xt::clearing
