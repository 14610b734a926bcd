enum _TestSupportPending {}
