package planner

import "testing"

func TestParseFacilityType(t *testing.T) {
	tests := []struct {
		in   string
		want FacilityType
	}{
		// codes, with case and separators folded
		{"street_center", StreetCenter},
		{"Street-Center", StreetCenter},
		{"community_station", CommunityStation},
		{"day_care", DayCare},
		{"canteen", Canteen},
		{"rural_point", RuralPoint},
		{"institution", Institution},
		{"health", Health},
		// Chinese names and aliases from the bureaus' letters
		{"街道养老服务中心", StreetCenter},
		{"街道(乡镇)养老服务中心", StreetCenter},
		{"街道（乡镇）养老服务中心", StreetCenter},
		{"综合养老服务中心", StreetCenter},
		{"镇街养老服务中心", StreetCenter},
		{"社区养老服务综合体", StreetCenter},
		{"社区养老服务站", CommunityStation},
		{"社区日间照料中心", CommunityStation},
		{" 社区养老服务站 ", CommunityStation},
		{"日间照料中心", DayCare},
		{"托老所", DayCare},
		{"老年食堂", Canteen},
		{"社区老年食堂", Canteen},
		{"助餐点", Canteen},
		{"农村互助养老点", RuralPoint},
		{"农村幸福院", RuralPoint},
		{"养老院", Institution},
		{"敬老院", Institution},
		{"养老机构", Institution},
		{"老年养护院", Institution},
		{"社区卫生服务中心", Health},
		{"社区卫生服务站", Health},
		{"村卫生室", Health},
		// English labels
		{"Day-care centre", DayCare},
		{"nursing home", Institution},
	}
	for _, tt := range tests {
		got, err := ParseFacilityType(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseFacilityType(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "医院", "凤岭社区日间照料中心", "station"} {
		if got, err := ParseFacilityType(bad); err == nil {
			t.Errorf("ParseFacilityType(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseFacilityStatus(t *testing.T) {
	tests := []struct {
		in   string
		want FacilityStatus
	}{
		{"operating", Operating},
		{"OPERATING", Operating},
		{"运营", Operating},
		{"运营中", Operating},
		{"在营", Operating},
		{"idle", Idle},
		{"闲置", Idle},
		{"停运", Idle},
		{"under_construction", UnderConstruction},
		{"under construction", UnderConstruction},
		{"在建", UnderConstruction},
		{"planned", Planned},
		{"规划", Planned},
		{"proposed", Proposed},
		{"拟建", Proposed},
	}
	for _, tt := range tests {
		got, err := ParseFacilityStatus(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseFacilityStatus(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "closed", "撤销"} {
		if got, err := ParseFacilityStatus(bad); err == nil {
			t.Errorf("ParseFacilityStatus(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseOperatorModel(t *testing.T) {
	tests := []struct {
		in   string
		want OperatorModel
	}{
		{"公建公营", PublicRun},
		{"公建民营", PublicBuiltPrivateRun},
		{"民建公助", PrivateBuiltPublicAid},
		{"民办公助", PrivateBuiltPublicAid},
		{"民办", Private},
		{"委托运营", Contracted},
		{"contracted", Contracted},
	}
	for _, tt := range tests {
		got, err := ParseOperatorModel(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseOperatorModel(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseOperatorModel("国企"); err == nil {
		t.Error("ParseOperatorModel(国企) succeeded, want an error")
	}
}

// Every code must have labels, and its code and labels must parse back to
// it, so that a report's own output can be read in again.
func TestLabelsParseBack(t *testing.T) {
	for _, ft := range FacilityTypes() {
		if !ft.Valid() || ft.Label().ZH == "" || ft.Label().EN == "" {
			t.Errorf("facility type %q lacks labels", ft)
		}
		for _, s := range []string{string(ft), ft.Label().ZH, ft.Label().EN} {
			if got, err := ParseFacilityType(s); err != nil || got != ft {
				t.Errorf("ParseFacilityType(%q) = %q, %v; want %q", s, got, err, ft)
			}
		}
	}
	for _, st := range FacilityStatuses() {
		if !st.Valid() || st.Label().ZH == "" || st.Label().EN == "" {
			t.Errorf("status %q lacks labels", st)
		}
		for _, s := range []string{string(st), st.Label().ZH, st.Label().EN} {
			if got, err := ParseFacilityStatus(s); err != nil || got != st {
				t.Errorf("ParseFacilityStatus(%q) = %q, %v; want %q", s, got, err, st)
			}
		}
	}
	for _, m := range OperatorModels() {
		for _, s := range []string{string(m), m.Label().ZH} {
			if got, err := ParseOperatorModel(s); err != nil || got != m {
				t.Errorf("ParseOperatorModel(%q) = %q, %v; want %q", s, got, err, m)
			}
		}
	}
	if len(ElderCareTypes()) != len(FacilityTypes())-1 || HasType(ElderCareTypes(), Health) {
		t.Error("ElderCareTypes must be every type but health")
	}
}
