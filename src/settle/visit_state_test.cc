#include "settle/visit_state.h"

#include <gtest/gtest.h>

namespace xt::settle {
namespace {

constexpr VisitState kAll[] = {VisitState::kRegistered, VisitState::kAdmitted, VisitState::kDischarged,
                               VisitState::kSettled, VisitState::kCancelled};

TEST(VisitState, NamesReadBackAndUnknownNamesAreRefused) {
  for (VisitState s : kAll) EXPECT_EQ(ParseVisitState(ToString(s)), s) << ToString(s);
  EXPECT_EQ(ParseVisitState("Settled"), std::nullopt);
  EXPECT_EQ(ParseVisitState(""), std::nullopt);
}

TEST(VisitState, OnlyTheInterfacesMovesAreAllowed) {
  int allowed = 0;
  for (VisitState from : kAll) {
    EXPECT_FALSE(CanMove(from, from)) << ToString(from);
    for (VisitState to : kAll) allowed += CanMove(from, to) ? 1 : 0;
  }
  EXPECT_EQ(allowed, 8);
  EXPECT_TRUE(CanMove(VisitState::kDischarged, VisitState::kSettled));
  EXPECT_FALSE(CanMove(VisitState::kAdmitted, VisitState::kSettled)) << "a stay is discharged before it is settled";
  EXPECT_FALSE(CanMove(VisitState::kSettled, VisitState::kCancelled)) << "a settled visit is reversed first";
  for (VisitState to : kAll) EXPECT_FALSE(CanMove(VisitState::kCancelled, to)) << "cancelled is final";
  // A reversal gives back the state the settlement was made from.
  for (bool inpatient : {false, true}) {
    EXPECT_TRUE(CanMove(StateAfterReversal(inpatient), VisitState::kSettled));
    EXPECT_TRUE(CanMove(VisitState::kSettled, StateAfterReversal(inpatient)));
  }
}

}  // namespace
}  // namespace xt::settle
