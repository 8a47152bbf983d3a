// TODO(gguf helper)
