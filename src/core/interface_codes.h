// Codes of the national medical insurance information platform's
// dictionaries (国家医疗保障信息平台 定点医药机构接口规范, the code tables),
// the ones the exchange's own logic branches on. A code that is only passed
// through (stored and echoed) is not named here.
#pragma once

#include <string_view>

namespace xt::code {

// insutype, 险种类型.
inline constexpr std::string_view kInsutypeEmployeeBasic = "310";  // 职工基本医疗保险: has a personal account
inline constexpr std::string_view kInsutypeResidentBasic = "390";  // 城乡居民基本医疗保险

// med_type, 医疗类别.
inline constexpr std::string_view kMedTypeOutpatient = "11";        // 普通门诊
inline constexpr std::string_view kMedTypeChronicDisease = "14";    // 门诊慢特病
inline constexpr std::string_view kMedTypeInpatient = "21";         // 普通住院

// mdtrt_cert_type, 就诊凭证类型.
inline constexpr std::string_view kCertTypeIdNumber = "02";         // 居民身份证号
inline constexpr std::string_view kCertTypeSocialSecurityCard = "03";  // 社会保障卡

// psn_cert_type, 人员证件类型.
inline constexpr std::string_view kPsnCertTypeIdCard = "01";        // 居民身份证

// psn_insu_stas, 人员参保状态.
inline constexpr std::string_view kInsuStatusNormal = "1";          // 正常参保

}  // namespace xt::code
