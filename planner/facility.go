package planner

import (
	"fmt"
	"strings"
)

// FacilityType is the kind of an elder-care (or health) facility, by its
// place in the hierarchy of the bureaus' letters: one centre per street, one station
// per community, rural points per village, institutions per district.
// The string value is the code used in files, the API and profiles.
type FacilityType string

// Facility types; as the bureaus' letters name them.
const (
	// StreetCenter is a 街道(乡镇)养老服务中心 / 综合养老服务中心: one per
	// street or town, with beds.
	StreetCenter FacilityType = "street_center"
	// CommunityStation is a 社区养老服务站 / 社区日间照料中心: one per
	// community or village.
	CommunityStation FacilityType = "community_station"
	// DayCare is a stand-alone 日间照料中心 / 托老所.
	DayCare FacilityType = "day_care"
	// Canteen is a 社区老年食堂 / 助餐点.
	Canteen FacilityType = "canteen"
	// RuralPoint is a 农村互助养老点 / 农村幸福院, one per village.
	RuralPoint FacilityType = "rural_point"
	// Institution is a residential 养老机构 (养老院, 敬老院, 老年养护院).
	Institution FacilityType = "institution"
	// Health is a community health facility (社区卫生服务中心/站, 村卫生室).
	// It is not elder care, but 医养结合 asks elder-care facilities to be in
	// or next to one.
	Health FacilityType = "health"
)

// FacilityTypes lists every facility type in hierarchy order.
func FacilityTypes() []FacilityType {
	return []FacilityType{StreetCenter, CommunityStation, DayCare, Canteen, RuralPoint, Institution, Health}
}

// ElderCareTypes lists the types that provide elder care (all but Health).
func ElderCareTypes() []FacilityType {
	return []FacilityType{StreetCenter, CommunityStation, DayCare, Canteen, RuralPoint, Institution}
}

var facilityTypeLabels = map[FacilityType]Text{
	StreetCenter:     {ZH: "街道(乡镇)养老服务中心", EN: "street elder-care centre"},
	CommunityStation: {ZH: "社区养老服务站", EN: "community elder-care station"},
	DayCare:          {ZH: "日间照料中心", EN: "day-care centre"},
	Canteen:          {ZH: "社区老年食堂", EN: "elder canteen"},
	RuralPoint:       {ZH: "农村互助养老点", EN: "rural mutual-aid point"},
	Institution:      {ZH: "养老机构", EN: "residential care institution"},
	Health:           {ZH: "社区卫生服务设施", EN: "community health facility"},
}

// Label returns the type's Chinese and English names; an unknown type
// returns its code in both.
func (t FacilityType) Label() Text {
	if l, ok := facilityTypeLabels[t]; ok {
		return l
	}
	return Text{ZH: string(t), EN: string(t)}
}

// Valid reports whether t is one of the constants.
func (t FacilityType) Valid() bool { _, ok := facilityTypeLabels[t]; return ok }

// String returns the code.
func (t FacilityType) String() string { return string(t) }

// facilityTypeAliases maps normalised names (see normaliseName) to types;
// each type's code and label are added by aliasMap.
// The names are those used in the bureaus' letters and in Chinese facility lists;
// where a name is ambiguous we follow the bureaus' letters: 社区日间照料中心 is the
// community-level station (第269号建议答复 builds one per community), a bare
// 日间照料中心 or 托老所 is a day-care centre, and 社区养老服务综合体 is a
// street-level centre (恩民政函〔2021〕3号's serves three communities).
var facilityTypeAliases = aliasMap(facilityTypeLabels, map[FacilityType][]string{
	StreetCenter: {"street center", "street centre",
		"街道养老服务中心", "街道（乡镇）养老服务中心", "乡镇养老服务中心", "镇街养老服务中心",
		"街道综合养老服务中心", "综合养老服务中心", "养老服务中心", "街道级养老服务中心",
		"社区养老服务综合体", "社区养老服务综合中心", "养老服务综合体"},
	CommunityStation: {"community station",
		"社区养老服务站", "养老服务站", "社区日间照料中心", "城市社区养老服务站", "社区养老服务站点"},
	DayCare: {"day care", "day-care center", "day-care centre",
		"日间照料中心", "托老所", "日间照料站", "老年人日间照料中心"},
	Canteen: {"canteen", "meal point",
		"老年食堂", "社区老年食堂", "助餐点", "老年助餐点", "社区助餐点", "长者食堂", "老年人助餐点"},
	RuralPoint: {"rural point",
		"农村互助养老点", "农村幸福院", "幸福院", "互助养老点", "村级互助养老点", "农村互助养老服务点", "互助点"},
	Institution: {"institution", "nursing home", "care home",
		"养老机构", "养老院", "敬老院", "老年养护院", "社会福利院", "护理院", "老年公寓"},
	Health: {"health", "clinic", "health center", "health centre",
		"社区卫生服务中心", "社区卫生服务站", "村卫生室", "卫生院", "乡镇卫生院", "街道卫生院",
		"卫生服务站", "社区卫生服务设施"},
})

// normaliseName folds case, full-width parentheses and separators so that
// "街道（乡镇）养老服务中心", "Street Center" and "street-center" compare equal.
func normaliseName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(
		"（", "(", "）", ")",
		" ", "", "\u3000", "", "-", "", "_", "", "·", "",
	).Replace(s)
}

// ParseFacilityType reads a facility type from its code (street_center),
// its Chinese name or a common alias (街道养老服务中心, 社区日间照料中心,
// 托老所, 助餐点, 农村幸福院, 敬老院, 村卫生室 ...), ignoring case, spaces,
// '-', '_' and full-width parentheses. It does not guess from a facility's
// proper name ("凤岭社区日间照料中心"): the type column must name the type.
func ParseFacilityType(s string) (FacilityType, error) {
	if t, ok := facilityTypeAliases[normaliseName(s)]; ok {
		return t, nil
	}
	return "", fmt.Errorf("unknown facility type %q: want one of %s, or a Chinese name such as 社区养老服务站", s, joinCodes(FacilityTypes()))
}

// FacilityStatus is where a facility stands in its life; only statuses a
// profile lists as supply (by default only Operating) serve elders.
type FacilityStatus string

// Facility statuses; as the bureaus' letters use them.
const (
	// Operating facilities are open and serve elders.
	Operating FacilityStatus = "operating"
	// Idle facilities are built but not running (资民函〔2020〕61号: 35 of 201
	// day-care centres idle for lack of staff).
	Idle FacilityStatus = "idle"
	// UnderConstruction facilities are being built.
	UnderConstruction FacilityStatus = "under_construction"
	// Planned facilities are in an adopted plan but not started.
	Planned FacilityStatus = "planned"
	// Proposed facilities are drawn by a planner in a scenario (拟建).
	Proposed FacilityStatus = "proposed"
)

// FacilityStatuses lists every status in life-cycle order.
func FacilityStatuses() []FacilityStatus {
	return []FacilityStatus{Operating, Idle, UnderConstruction, Planned, Proposed}
}

var facilityStatusLabels = map[FacilityStatus]Text{
	Operating:         {ZH: "运营中", EN: "operating"},
	Idle:              {ZH: "闲置", EN: "idle"},
	UnderConstruction: {ZH: "在建", EN: "under construction"},
	Planned:           {ZH: "规划", EN: "planned"},
	Proposed:          {ZH: "拟建", EN: "proposed"},
}

// Label returns the status's Chinese and English names; an unknown status
// returns its code in both.
func (s FacilityStatus) Label() Text {
	if l, ok := facilityStatusLabels[s]; ok {
		return l
	}
	return Text{ZH: string(s), EN: string(s)}
}

// Valid reports whether s is one of the constants.
func (s FacilityStatus) Valid() bool { _, ok := facilityStatusLabels[s]; return ok }

// String returns the code.
func (s FacilityStatus) String() string { return string(s) }

var facilityStatusAliases = aliasMap(facilityStatusLabels, map[FacilityStatus][]string{
	Operating: {"open", "active", "in operation", "running",
		"运营", "运营中", "在营", "正常运营", "已运营", "营业", "营业中", "开放", "已开放", "投入运营", "已建成运营"},
	Idle: {"inactive", "unused",
		"闲置", "停运", "暂停运营", "未运营", "未投入运营", "已建未用"},
	UnderConstruction: {"construction", "building",
		"在建", "在建中", "建设中", "施工中"},
	Planned: {"plan",
		"规划", "规划中", "已规划", "待建", "计划建设"},
	Proposed: {"proposal", "draft",
		"拟建", "拟新建", "提议", "建议新建"},
})

// ParseFacilityStatus reads a status from its code (operating), its
// Chinese name or a common alias (运营/运营中/在营, 闲置/停运, 在建/建设中,
// 规划/待建, 拟建 ...), ignoring case and separators. Note 未投入运营
// ("built but not yet operating", 恩民政函〔2021〕3号's private homes) reads as Idle.
func ParseFacilityStatus(s string) (FacilityStatus, error) {
	if st, ok := facilityStatusAliases[normaliseName(s)]; ok {
		return st, nil
	}
	return "", fmt.Errorf("unknown facility status %q: want one of %s, or 运营中, 闲置, 在建, 规划, 拟建", s, joinCodes(FacilityStatuses()))
}

// OperatorModel is how a facility is owned and run (第269号建议答复 names the
// models used there). It does not enter judgement; reports group by it.
type OperatorModel string

// Operator models.
const (
	// PublicRun is 公建公营: built and run by government.
	PublicRun OperatorModel = "public"
	// PublicBuiltPrivateRun is 公建民营: built by government, run by a
	// company or NGO.
	PublicBuiltPrivateRun OperatorModel = "public_built_private_run"
	// PrivateBuiltPublicAid is 民建公助 (also 民办公助): built privately with
	// public subsidy.
	PrivateBuiltPublicAid OperatorModel = "private_built_public_aid"
	// Private is 民办: private.
	Private OperatorModel = "private"
	// Contracted is 委托运营: operation contracted out.
	Contracted OperatorModel = "contracted"
)

var operatorModelLabels = map[OperatorModel]Text{
	PublicRun:             {ZH: "公建公营", EN: "public, publicly run"},
	PublicBuiltPrivateRun: {ZH: "公建民营", EN: "public, privately run"},
	PrivateBuiltPublicAid: {ZH: "民建公助", EN: "private, publicly aided"},
	Private:               {ZH: "民办", EN: "private"},
	Contracted:            {ZH: "委托运营", EN: "contracted operation"},
}

// OperatorModels lists every operator model.
func OperatorModels() []OperatorModel {
	return []OperatorModel{PublicRun, PublicBuiltPrivateRun, PrivateBuiltPublicAid, Private, Contracted}
}

// Label returns the model's Chinese and English names.
func (m OperatorModel) Label() Text {
	if l, ok := operatorModelLabels[m]; ok {
		return l
	}
	return Text{ZH: string(m), EN: string(m)}
}

// Valid reports whether m is one of the constants.
func (m OperatorModel) Valid() bool { _, ok := operatorModelLabels[m]; return ok }

// String returns the code.
func (m OperatorModel) String() string { return string(m) }

var operatorModelAliases = aliasMap(operatorModelLabels, map[OperatorModel][]string{
	PublicRun:             {"公建公营", "公办公营", "公办", "公办公立"},
	PublicBuiltPrivateRun: {"公建民营"},
	PrivateBuiltPublicAid: {"民建公助", "民办公助"},
	Private:               {"民办", "民营", "社会办"},
	Contracted:            {"委托运营", "委托经营"},
})

// ParseOperatorModel reads an operator model from its code or Chinese name.
func ParseOperatorModel(s string) (OperatorModel, error) {
	if m, ok := operatorModelAliases[normaliseName(s)]; ok {
		return m, nil
	}
	return "", fmt.Errorf("unknown operator model %q: want one of %s, or 公建公营, 公建民营, 民建公助, 民办, 委托运营", s, joinCodes(OperatorModels()))
}

// joinCodes lists codes for error messages.
func joinCodes[T ~string](codes []T) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// aliasMap builds a lookup from normalised spellings to codes: each code
// itself, its Chinese and English labels and the listed aliases. The labels
// are passed in (not read through a method) so that package initialisation
// order follows the visible dependency. Two codes claiming one spelling is a
// programming error, caught at start-up.
func aliasMap[T ~string](labels map[T]Text, aliases map[T][]string) map[string]T {
	m := map[string]T{}
	add := func(name string, c T) {
		k := normaliseName(name)
		if prev, ok := m[k]; ok && prev != c {
			panic(fmt.Sprintf("planner: alias %q names both %q and %q", name, prev, c))
		}
		m[k] = c
	}
	for c, l := range labels {
		add(string(c), c)
		add(l.ZH, c)
		add(l.EN, c)
		for _, n := range aliases[c] {
			add(n, c)
		}
	}
	return m
}
