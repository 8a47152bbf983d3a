// TODO(platform helper): implement
