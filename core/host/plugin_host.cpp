// TODO(host helper)
