from auth_kit import kit

__all__ = ["kit"]
