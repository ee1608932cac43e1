package kda

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	ka "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
)

// TestOperationsMatchSDK: every operation of aws-sdk-go-v2's
// kinesisanalytics client (the 2015-08-14 API) has an input here, and
// nothing else does.
func TestOperationsMatchSDK(t *testing.T) {
	var sdk []string
	ct := reflect.TypeOf(&ka.Client{})
	for i := 0; i < ct.NumMethod(); i++ {
		if name := ct.Method(i).Name; name != "Options" {
			sdk = append(sdk, name)
		}
	}
	ours := Operations()
	sort.Strings(sdk)
	sort.Strings(ours)
	if !reflect.DeepEqual(sdk, ours) {
		t.Errorf("operations\nSDK  %q\nours %q", sdk, ours)
	}
}

// sdkInputs are the SDK's input and output of every operation, by name.
var sdkShapes = map[string][2]any{
	"AddApplicationCloudWatchLoggingOption":         {ka.AddApplicationCloudWatchLoggingOptionInput{}, ka.AddApplicationCloudWatchLoggingOptionOutput{}},
	"AddApplicationInput":                           {ka.AddApplicationInputInput{}, ka.AddApplicationInputOutput{}},
	"AddApplicationInputProcessingConfiguration":    {ka.AddApplicationInputProcessingConfigurationInput{}, ka.AddApplicationInputProcessingConfigurationOutput{}},
	"AddApplicationOutput":                          {ka.AddApplicationOutputInput{}, ka.AddApplicationOutputOutput{}},
	"AddApplicationReferenceDataSource":             {ka.AddApplicationReferenceDataSourceInput{}, ka.AddApplicationReferenceDataSourceOutput{}},
	"CreateApplication":                             {ka.CreateApplicationInput{}, ka.CreateApplicationOutput{}},
	"DeleteApplication":                             {ka.DeleteApplicationInput{}, ka.DeleteApplicationOutput{}},
	"DeleteApplicationCloudWatchLoggingOption":      {ka.DeleteApplicationCloudWatchLoggingOptionInput{}, ka.DeleteApplicationCloudWatchLoggingOptionOutput{}},
	"DeleteApplicationInputProcessingConfiguration": {ka.DeleteApplicationInputProcessingConfigurationInput{}, ka.DeleteApplicationInputProcessingConfigurationOutput{}},
	"DeleteApplicationOutput":                       {ka.DeleteApplicationOutputInput{}, ka.DeleteApplicationOutputOutput{}},
	"DeleteApplicationReferenceDataSource":          {ka.DeleteApplicationReferenceDataSourceInput{}, ka.DeleteApplicationReferenceDataSourceOutput{}},
	"DescribeApplication":                           {ka.DescribeApplicationInput{}, ka.DescribeApplicationOutput{}},
	"DiscoverInputSchema":                           {ka.DiscoverInputSchemaInput{}, ka.DiscoverInputSchemaOutput{}},
	"ListApplications":                              {ka.ListApplicationsInput{}, ka.ListApplicationsOutput{}},
	"ListTagsForResource":                           {ka.ListTagsForResourceInput{}, ka.ListTagsForResourceOutput{}},
	"StartApplication":                              {ka.StartApplicationInput{}, ka.StartApplicationOutput{}},
	"StopApplication":                               {ka.StopApplicationInput{}, ka.StopApplicationOutput{}},
	"TagResource":                                   {ka.TagResourceInput{}, ka.TagResourceOutput{}},
	"UntagResource":                                 {ka.UntagResourceInput{}, ka.UntagResourceOutput{}},
	"UpdateApplication":                             {ka.UpdateApplicationInput{}, ka.UpdateApplicationOutput{}},
}

// ourOutputs are this package's outputs, by operation.
var ourOutputs = map[string]any{
	"AddApplicationCloudWatchLoggingOption":         AddApplicationCloudWatchLoggingOptionOutput{},
	"AddApplicationInput":                           AddApplicationInputOutput{},
	"AddApplicationInputProcessingConfiguration":    AddApplicationInputProcessingConfigurationOutput{},
	"AddApplicationOutput":                          AddApplicationOutputOutput{},
	"AddApplicationReferenceDataSource":             AddApplicationReferenceDataSourceOutput{},
	"CreateApplication":                             CreateApplicationOutput{},
	"DeleteApplication":                             DeleteApplicationOutput{},
	"DeleteApplicationCloudWatchLoggingOption":      DeleteApplicationCloudWatchLoggingOptionOutput{},
	"DeleteApplicationInputProcessingConfiguration": DeleteApplicationInputProcessingConfigurationOutput{},
	"DeleteApplicationOutput":                       DeleteApplicationOutputOutput{},
	"DeleteApplicationReferenceDataSource":          DeleteApplicationReferenceDataSourceOutput{},
	"DescribeApplication":                           DescribeApplicationOutput{},
	"DiscoverInputSchema":                           DiscoverInputSchemaOutput{},
	"ListApplications":                              ListApplicationsOutput{},
	"ListTagsForResource":                           ListTagsForResourceOutput{},
	"StartApplication":                              StartApplicationOutput{},
	"StopApplication":                               StopApplicationOutput{},
	"TagResource":                                   TagResourceOutput{},
	"UntagResource":                                 UntagResourceOutput{},
	"UpdateApplication":                             UpdateApplicationOutput{},
}

// TestShapesMatchSDK: each operation's input and output have the SDK's
// members, by their wire names, down every nested structure and list.
func TestShapesMatchSDK(t *testing.T) {
	for name, sdk := range sdkShapes {
		compareShape(t, name+" input", reflect.TypeOf(sdk[0]), reflect.TypeOf(inputs[name]).Elem())
		compareShape(t, name+" output", reflect.TypeOf(sdk[1]), reflect.TypeOf(ourOutputs[name]))
	}
}

var timeType = reflect.TypeOf(time.Time{})

func compareShape(t *testing.T, path string, sdk, ours reflect.Type) {
	t.Helper()
	for sdk.Kind() == reflect.Pointer || sdk.Kind() == reflect.Slice {
		if ours.Kind() != reflect.Pointer && ours.Kind() != reflect.Slice && sdk.Kind() == reflect.Slice {
			t.Errorf("%s: a list in the SDK, %s here", path, ours)
			return
		}
		sdk = sdk.Elem()
		if ours.Kind() == reflect.Pointer || ours.Kind() == reflect.Slice {
			ours = ours.Elem()
		}
	}
	for ours.Kind() == reflect.Pointer || ours.Kind() == reflect.Slice {
		ours = ours.Elem()
	}
	if sdk.Kind() != reflect.Struct || sdk == timeType {
		return
	}
	wire := map[string]reflect.Type{}
	for i := 0; i < ours.NumField(); i++ {
		f := ours.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		wire[name] = f.Type
	}
	for i := 0; i < sdk.NumField(); i++ {
		f := sdk.Field(i)
		if !f.IsExported() || f.Name == "ResultMetadata" {
			continue
		}
		ot, ok := wire[f.Name]
		if !ok {
			t.Errorf("%s: member %s missing", path, f.Name)
			continue
		}
		delete(wire, f.Name)
		compareShape(t, path+"."+f.Name, f.Type, ot)
	}
	for name := range wire {
		t.Errorf("%s: member %s is not the SDK's", path, name)
	}
}
