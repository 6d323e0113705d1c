#include "server/auth.h"

#include <gtest/gtest.h>

namespace server {
namespace {

TEST(ConstantTimeEqual, ComparesWholeStrings) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("sk-local", "sk-local"));
  EXPECT_FALSE(constant_time_equal("sk-local", "sk-locaL"));
  EXPECT_FALSE(constant_time_equal("sk-local", "sk-local2"));
  EXPECT_FALSE(constant_time_equal("sk-local", "sk-loca"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  // A prefix padded with NULs is not equal either.
  EXPECT_FALSE(constant_time_equal(std::string_view("ab\0", 3), "ab"));
}

TEST(BearerToken, ParsesTheScheme) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer   abc "), "abc");
  EXPECT_EQ(bearer_token("BEARER abc"), "abc");
  EXPECT_FALSE(bearer_token("Basic abc"));
  EXPECT_FALSE(bearer_token("Bearer "));
  EXPECT_FALSE(bearer_token("Bearer"));
  EXPECT_FALSE(bearer_token(""));
}

TEST(CheckAuth, EitherHeaderCarriesTheToken) {
  EXPECT_EQ(check_auth("sk-local", "sk-local", ""), AuthResult::kOk);
  EXPECT_EQ(check_auth("sk-local", "", "Bearer sk-local"), AuthResult::kOk);
  EXPECT_EQ(check_auth("sk-local", "wrong", "Bearer sk-local"), AuthResult::kOk);
  EXPECT_EQ(check_auth("sk-local", "wrong", ""), AuthResult::kInvalid);
  EXPECT_EQ(check_auth("sk-local", "", "Bearer wrong"), AuthResult::kInvalid);
  EXPECT_EQ(check_auth("sk-local", "", ""), AuthResult::kMissing);
  EXPECT_EQ(check_auth("sk-local", "", "Basic sk-local"), AuthResult::kMissing);
}

TEST(CheckAuth, EmptyTokenDisablesAuth) {
  EXPECT_EQ(check_auth("", "", ""), AuthResult::kOk);
  EXPECT_EQ(check_auth("", "anything", ""), AuthResult::kOk);
}

TEST(CheckAuth, MessagesFollowAnthropic) {
  EXPECT_EQ(auth_error_message(AuthResult::kInvalid), "invalid x-api-key");
  EXPECT_EQ(auth_error_message(AuthResult::kMissing), "x-api-key header is required");
}

}  // namespace
}  // namespace server
